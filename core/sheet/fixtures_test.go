package sheet

import (
	"archive/zip"
	"bytes"
	"flag"
	"os"
	"path/filepath"
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

	// a workbook as a manager sends it: shared strings, a date, an unknown column,
	// a blank row, a merged group cell
	ex := excelize.NewFile()
	ex.SetSheetName("Sheet1", "Personnes")
	ex.SetSheetRow("Personnes", "A1", &[]any{"Adresse e-mail", "Prénom", "Nom", "Groupe", "Langue", "Rôle", "Date d'entrée"})
	ex.SetSheetRow("Personnes", "A2", &[]any{"helene.lefevre@exemple.fr", "Hélène", "Lefèvre", "Ventes/Région Sud", "Français", "Apprenant", 45000})
	ex.SetSheetRow("Personnes", "A3", &[]any{"francois.coeur@exemple.fr", "François", "Cœur", "", "fr", "formateur", 45001})
	ex.SetSheetRow("Personnes", "A5", &[]any{"anne.morel@exemple.fr", "Anne", "Morel", "Direction", "Anglais", "Administrateur", 45002})
	ex.SetSheetRow("Personnes", "A6", &[]any{"jean.dupont@gmial.com", "Jean", "Dupont", "", "", "", ""})
	ex.MergeCell("Personnes", "D5", "D6")
	date, _ := ex.NewStyle(&excelize.Style{NumFmt: 14})
	ex.SetCellStyle("Personnes", "G2", "G5", date)
	buf, err = ex.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	ex.Close()
	out["import-exemple.xlsx"] = buf.Bytes()
	out["import-exemple.csv"] = []byte("\xef\xbb\xbfAdresse e-mail;Prénom;Nom;Groupe;Langue;Rôle\r\n" +
		"helene.lefevre@exemple.fr;Hélène;Lefèvre;Ventes/Région Sud;Français;Apprenant\r\n" +
		"francois.coeur@exemple.fr;François;Cœur;;fr;formateur\r\n" +
		";;;;;\r\n" +
		"anne.morel@exemple.fr;Anne;Morel;Direction;Anglais;Administrateur\r\n")

	// the example cut after row 3 while its dimension still says 6 rows
	out["tronque.xlsx"] = editZip(t, out["import-exemple.xlsx"], "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		b = dimensionRE.ReplaceAll(b, []byte(`<dimension ref="A1:G6"/>`))
		i := bytes.Index(b, []byte(`<row r="5"`))
		j := bytes.Index(b, []byte(`</sheetData>`))
		return append(append([]byte{}, b[:i]...), b[j:]...)
	})
	// a dimension beyond the last row of a sheet
	out["trop-de-lignes.xlsx"] = editZip(t, out["import-exemple.xlsx"], "xl/worksheets/sheet1.xml", func(b []byte) []byte {
		return dimensionRE.ReplaceAll(b, []byte(`<dimension ref="A1:G1048577"/>`))
	})
	// a zip bomb: a worksheet that declares it inflates to 4 GiB; it is refused from
	// its header, before anything is inflated
	out["bombe.xlsx"] = bombHeader(t, out["import-exemple.xlsx"], 4<<30)
	return out
}

// editZip rewrites one part of a zip held in memory.
func editZip(t *testing.T, data []byte, name string, fn func([]byte) []byte) []byte {
	t.Helper()
	src := filepath.Join(t.TempDir(), "src.zip")
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(rewriteZip(t, src, "out.zip", map[string]func([]byte) []byte{name: fn}, nil))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// bombHeader adds a part whose header declares size inflated bytes.
func bombHeader(t *testing.T, data []byte, size uint64) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/media/bombe.bin", Method: zip.Deflate,
		CompressedSize64: 2, UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{0x03, 0x00})
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
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
