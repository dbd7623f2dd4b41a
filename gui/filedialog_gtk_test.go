//go:build linux

package gui

import "testing"

func TestAnyCase(t *testing.T) {
	for in, want := range map[string]string{
		"*.xlsx": "*.[xX][lL][sS][xX]",
		"*.csv":  "*.[cC][sS][vV]",
		"*.é1":   "*.[éÉ]1",
	} {
		if got := anyCase(in); got != want {
			t.Errorf("anyCase(%q) = %q, want %q", in, got, want)
		}
	}
}
