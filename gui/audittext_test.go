package gui

import (
	"strings"
	"testing"
	"time"

	"convive/core"
)

func TestAuditTextNamesTheImport(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.Local)
	byHand := auditText(core.AuditEntry{Action: "user.create", Who: "claire", At: at})
	imported := auditText(core.AuditEntry{Action: "user.create", Who: "claire", At: at, BatchID: 7})
	if !strings.Contains(byHand, "fiche créée par claire") || strings.Contains(byHand, "import") {
		t.Errorf("created by hand: %q", byHand)
	}
	if !strings.Contains(imported, "import n°\u00a07\u00a0: fiche créée par claire") {
		t.Errorf("created by an import: %q", imported)
	}
}
