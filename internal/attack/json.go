package attack

import (
	"encoding/json"
	"fmt"
)

// FromJSON decodes a catalog from its own JSON form (the form of the
// embedded data, and of json.Marshal on a Catalog), so that a saved catalog
// can keep the ATT&CK version it was built with.
func FromJSON(data []byte) (*Catalog, error) {
	c := new(Catalog)
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("ATT&CK data: %w", err)
	}
	if len(c.Tactics) == 0 || len(c.Techniques) == 0 {
		return nil, fmt.Errorf("ATT&CK data has no tactics or techniques")
	}
	c.index()
	return c, nil
}
