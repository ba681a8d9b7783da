package catalog_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/detwiki/detwiki/internal/catalog"
	"github.com/detwiki/detwiki/internal/catalog/catalogtest"
	"github.com/detwiki/detwiki/internal/rule"
)

// sameAsJSONv1 decodes a stored document with encoding/json and with the
// catalog's decoder and reports whether both give the same document.
func sameAsJSONv1(t *testing.T, raw []byte) bool {
	t.Helper()
	var want rule.Document
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got, err := catalog.DecodeDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(&want, got)
}

// TestLoadDecodesAsJSONv1 checks that the JSON v2 decoder Load uses reads
// stored documents exactly as encoding/json does: the fixture documents
// (hostile text included) and every fourth document of the corpus catalog.
func TestLoadDecodesAsJSONv1(t *testing.T) {
	for _, d := range catalogtest.Documents() {
		raw, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if !sameAsJSONv1(t, raw) {
			t.Errorf("%s: decoded differently", d.ID)
		}
	}
	_, _, dir := corpusCatalog(t)
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(filepath.Join(dir, catalog.DBName))+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT id, document FROM rules WHERE rowid % 4 = 0")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			t.Fatal(err)
		}
		n++
		if !sameAsJSONv1(t, raw) {
			t.Errorf("%s: decoded differently", id)
		}
	}
	if n < 3000 {
		t.Errorf("only %d corpus documents compared", n)
	}
}
