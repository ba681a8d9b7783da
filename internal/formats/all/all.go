// Package all registers every rule format reader, in detection priority order.
// Import it for its side effect.
package all

import (
	"github.com/detwiki/detwiki/internal/formats"
)

func init() {
	formats.Register(
	// Readers are added here as their front ends land, most specific first.
	)
}
