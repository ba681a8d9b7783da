package eslex

import "testing"

func TestNumber(t *testing.T) {
	tests := []struct {
		src     string
		end     int
		decimal bool
	}{
		{"42", 2, false},
		{"42 ", 2, false},
		{"1.5", 3, true},
		{"1.", 2, true},
		{".5", 2, true},
		{"1e3", 3, true},
		{"1.5E-3x", 6, true},
		{"1e", 1, false},  // no exponent digits: the e is not part of the number
		{"1e+", 1, false}, // likewise
		{"1.field", 1, false},
		{"1._x", 1, false},
	}
	for _, tt := range tests {
		end, decimal := Number(tt.src, 0)
		if end != tt.end || decimal != tt.decimal {
			t.Errorf("Number(%q) = %d, %v; want %d, %v", tt.src, end, decimal, tt.end, tt.decimal)
		}
	}
	if end, _ := Number("x = 10", 4); end != 6 {
		t.Errorf("Number at an offset ends at %d, want 6", end)
	}
}

func TestBackquotedName(t *testing.T) {
	tests := []struct {
		src    string
		end    int
		name   string
		closed bool
	}{
		{"`a b`.c", 5, "a b", true},
		{"``", 2, "", true},
		{"`a``b`", 6, "a`b", true},
		{"`open", 5, "open", false},
		{"`x``", 4, "x`", false},
	}
	for _, tt := range tests {
		end, name, closed := BackquotedName(tt.src, 0)
		if end != tt.end || name != tt.name || closed != tt.closed {
			t.Errorf("BackquotedName(%q) = %d, %q, %v; want %d, %q, %v", tt.src, end, name, closed, tt.end, tt.name, tt.closed)
		}
	}
}
