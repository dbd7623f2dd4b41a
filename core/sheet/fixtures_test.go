package sheet

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the checked-in fixtures of testdata/sheets")

// FixturePassword opens testdata/sheets/encrypted.xlsx.
const fixturePassword = "Convive-2026"

// fixtures builds the checked-in files. They are small and kept in the repository so
// that a reader can open them in a spreadsheet program; -update rewrites them.
func fixtures(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	// French Excel's "CSV (séparateur : point-virgule)": Windows-1252 bytes
	out["windows-1252.csv"] = []byte("E-mail;Pr\xe9nom;Nom;Groupe\r\n" +
		"helene.lefevre@exemple.fr;H\xe9l\xe8ne;Lef\xe8vre;\xc9t\xe9 2024\r\n" +
		"francois.coeur@exemple.fr;Fran\xe7ois;C\x9cur;Ventes/R\xe9gion Sud\r\n")
	out["utf8-bom-comma.csv"] = append([]byte{0xEF, 0xBB, 0xBF}, []byte("Email,First name,Last name,Groups\r\n"+
		"jean.dupont@exemple.fr,Jean,Dupont,\"Ventes, Nord\"\r\n"+
		"zoe.leger@exemple.fr,Zoé,Léger,Direction\r\n")...)
	out["tab.csv"] = []byte("courriel\tprénom\tnom\tlangue\n" +
		"anne.morel@exemple.fr\tAnne\tMorel\ten\n" +
		"luc.petit@exemple.fr\tLuc\tPetit\tfr\n")
	out["empty.csv"] = []byte{}
	out["page-web.xls"] = []byte("<html><head><meta charset=\"utf-8\"></head><body><table><tr><td>email</td></tr></table></body></html>\n")

	// an Excel 97-2003 file as far as the first bytes go: OLE2 header, then a
	// directory holding a "Workbook" stream
	xls := make([]byte, 2048)
	copy(xls, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	copy(xls[1024:], utf16le("Root Entry"))
	copy(xls[1024+128:], utf16le("Workbook"))
	out["ancien.xls"] = xls

	// an OpenDocument spreadsheet: mimetype first, stored
	var ods bytes.Buffer
	zw := zip.NewWriter(&ods)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
	w, _ = zw.Create("content.xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>`))
	w, _ = zw.Create("META-INF/manifest.xml")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>`))
	zw.Close()
	out["classeur.ods"] = ods.Bytes()

	// a real workbook, then the same cut in half (its zip directory is lost)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]string{"E-mail", "Prénom"})
	f.SetSheetRow("Sheet1", "A2", &[]string{"paul.roux@exemple.fr", "Paul"})
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	whole := buf.Bytes()
	out["coupe.xlsx"] = whole[:len(whole)/2]

	// the same workbook encrypted with a password, as Excel does
	enc, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	encrypted, err := excelize.Encrypt(enc.Bytes(), &excelize.Options{Password: fixturePassword})
	if err != nil {
		t.Fatal(err)
	}
	out["protege.xlsx"] = encrypted
	f.Close()
	return out
}

func TestCheckedInFixturesAreThere(t *testing.T) {
	for name, data := range fixtures(t) {
		path := fixture(name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("fixture %s is missing (run go test -run TestCheckedInFixturesAreThere -update): %v", name, err)
		}
	}
}
