//go:build tools

// Package deps pins the third-party modules the project's packages use, so
// that go.mod names them even while the packages that import them are being
// written. It is never built.
package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/chromedp/chromedp"
	_ "go.yaml.in/yaml/v3"
	_ "modernc.org/sqlite"
)
