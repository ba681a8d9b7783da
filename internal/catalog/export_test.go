package catalog

// DecodeDocument is decodeDocument, for the tests of package catalog_test.
var DecodeDocument = decodeDocument
