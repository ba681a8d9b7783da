package attack

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// stixObject is the part of a STIX 2.0/2.1 object the catalog needs.
type stixObject struct {
	Type               string `json:"type"`
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Revoked            bool   `json:"revoked"`
	Deprecated         bool   `json:"x_mitre_deprecated"`
	Shortname          string `json:"x_mitre_shortname"`
	Version            string `json:"x_mitre_version"`
	ExternalReferences []struct {
		SourceName string `json:"source_name"`
		ExternalID string `json:"external_id"`
	} `json:"external_references"`
	KillChainPhases []struct {
		KillChainName string `json:"kill_chain_name"`
		PhaseName     string `json:"phase_name"`
	} `json:"kill_chain_phases"`
	TacticRefs       []string `json:"tactic_refs"`
	RelationshipType string   `json:"relationship_type"`
	SourceRef        string   `json:"source_ref"`
	TargetRef        string   `json:"target_ref"`
	XPlatforms       []string `json:"x_mitre_platforms"`
}

func (o *stixObject) attackID() string {
	for _, r := range o.ExternalReferences {
		if r.SourceName == "mitre-attack" {
			return r.ExternalID
		}
	}
	return ""
}

// LoadBundle reads an ATT&CK Enterprise STIX bundle (2.0 or 2.1) from a file.
// Without a collection object naming the version, the version is taken
// from the file name (enterprise-attack-18.1.json: 18.1).
func LoadBundle(path string) (*Catalog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ReadBundle(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.Source = path
	if c.Version == "" {
		// STIX 2.0 bundles have no collection object: the version is in
		// the file name, as MITRE publishes them.
		c.Version = versionFromName(filepath.Base(path))
	}
	return c, nil
}

// ReadBundle decodes an ATT&CK Enterprise STIX bundle.
func ReadBundle(r io.Reader) (*Catalog, error) {
	var b struct {
		Type    string       `json:"type"`
		Objects []stixObject `json:"objects"`
	}
	if err := json.NewDecoder(r).Decode(&b); err != nil {
		return nil, fmt.Errorf("not a STIX bundle: %w", err)
	}
	if b.Type != "bundle" {
		return nil, fmt.Errorf("not a STIX bundle (type %q)", b.Type)
	}
	c := new(Catalog)
	tacticsByRef := map[string]*Tactic{}
	techByRef := map[string]*Technique{}
	var matrixRefs []string
	for i := range b.Objects {
		o := &b.Objects[i]
		switch o.Type {
		case "x-mitre-tactic":
			ta := &Tactic{ID: o.attackID(), Name: o.Name, Shortname: o.Shortname}
			tacticsByRef[o.ID] = ta
		case "attack-pattern":
			id := o.attackID()
			if id == "" {
				continue
			}
			t := &Technique{ID: id, Name: o.Name, Platforms: o.XPlatforms, Deprecated: o.Deprecated, Revoked: o.Revoked}
			for _, k := range o.KillChainPhases {
				if k.KillChainName == "mitre-attack" {
					t.Tactics = append(t.Tactics, k.PhaseName)
				}
			}
			techByRef[o.ID] = t
			c.Techniques = append(c.Techniques, t)
		case "x-mitre-matrix":
			if len(o.TacticRefs) > len(matrixRefs) {
				matrixRefs = o.TacticRefs
			}
		case "x-mitre-collection":
			if o.Version != "" {
				c.Version = o.Version
			}
		}
	}
	for i := range b.Objects {
		o := &b.Objects[i]
		if o.Type == "relationship" && o.RelationshipType == "revoked-by" {
			if from, to := techByRef[o.SourceRef], techByRef[o.TargetRef]; from != nil && to != nil {
				from.RevokedBy = to.ID
			}
		}
	}
	for _, ref := range matrixRefs {
		if ta := tacticsByRef[ref]; ta != nil {
			c.Tactics = append(c.Tactics, ta)
		}
	}
	if len(c.Tactics) == 0 { // no matrix object: keep every tactic, by id
		for _, ta := range tacticsByRef {
			c.Tactics = append(c.Tactics, ta)
		}
		slices.SortFunc(c.Tactics, func(a, b *Tactic) int { return strings.Compare(a.ID, b.ID) })
	}
	if len(c.Tactics) == 0 || len(c.Techniques) == 0 {
		return nil, fmt.Errorf("bundle has no ATT&CK tactics or techniques")
	}
	slices.SortFunc(c.Techniques, func(a, b *Technique) int {
		if n := strings.Compare(a.ID, b.ID); n != 0 {
			return n
		}
		return strings.Compare(a.Name, b.Name)
	})
	c.index()
	return c, nil
}
