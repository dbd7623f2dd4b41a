package sheet

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"convive/core"
)

// ExampleEmail is the address of the template's example row. It is in a domain
// reserved for examples, so a template sent back with the example left in never mails
// anybody; the import service may point that row out.
const ExampleEmail = "jeanne.martin@example.com"

// Template sheet names.
const (
	TemplateSheet     = "Utilisateurs"
	InstructionsSheet = "Instructions"
)

// templateHeader and templateExample are the template's first two rows.
var (
	templateHeader  = []string{"E-mail", "Prénom", "Nom", "Groupe", "Groupe 2", "Langue", "Rôle"}
	templateExample = []string{ExampleEmail, "Jeanne", "Martin", "Ventes/Région Sud", "Nouveaux arrivants", core.LangFR.Label(), core.RoleLearner.Label()}
)

// TemplateLanguages are the values offered by the template's language dropdown (the
// French names of core.Languages); the codes fr and en are accepted too.
func TemplateLanguages() []string {
	out := make([]string, len(core.Languages))
	for i, l := range core.Languages {
		out[i] = l.Label()
	}
	return out
}

// TemplateRoles are the values offered by the template's role dropdown (the French
// names of core.Roles).
func TemplateRoles() []string {
	out := make([]string, len(core.Roles))
	for i, r := range core.Roles {
		out[i] = r.Label()
	}
	return out
}

// instructions are the rows of the Instructions sheet.
var instructions = [][]string{
	{"Colonne", "Obligatoire", "Ce qu'il faut y mettre", "Exemple"},
	{"E-mail", "Oui", "L'adresse e-mail de la personne : elle devient son identifiant sur la plateforme. Une seule adresse par ligne, sans nom ni espace. Une adresse déjà présente dans Convive met à jour le compte (selon le mode d'import choisi).", ExampleEmail},
	{"Prénom", "Non", "Le prénom, tel qu'il doit apparaître sur la plateforme et dans les e-mails.", "Jeanne"},
	{"Nom", "Non", "Le nom de famille.", "Martin"},
	{"Groupe", "Non", "Le sous-groupe où placer la personne. Pour un sous-groupe d'un sous-groupe, séparez les noms par « / ». Les sous-groupes qui n'existent pas encore sont créés. Laissez vide pour le seul Groupe général.", "Ventes/Région Sud"},
	{"Groupe 2", "Non", "Un autre sous-groupe pour la même personne. Ajoutez au besoin des colonnes « Groupe 3 », « Groupe 4 »…", "Nouveaux arrivants"},
	{"Langue", "Non", "La langue des e-mails et de la plateforme : Français ou Anglais (les codes fr et en sont aussi acceptés). Vide : Français.", core.LangFR.Label()},
	{"Rôle", "Non", "Apprenant, Formateur ou Administrateur. Vide : Apprenant.", core.RoleLearner.Label()},
	{},
	{"Bon à savoir"},
	{"• Gardez la première ligne (les titres des colonnes) telle quelle ; l'ordre des colonnes n'a pas d'importance et les titres anglais (Email, First name, Last name, Group, Language, Role) sont aussi reconnus."},
	{"• Supprimez la ligne d'exemple (" + ExampleEmail + ") avant l'import."},
	{"• Les lignes vides sont ignorées. Les autres colonnes sont affichées lors de l'aperçu mais ne sont pas importées."},
	{"• Rien n'est enregistré avant que vous ayez vérifié l'aperçu et cliqué sur « Importer » ; un import peut ensuite être annulé en entier."},
	{"• Une feuille peut compter jusqu'à 100 000 lignes et plus ; au-delà de 1 048 576 lignes, découpez le fichier."},
}

// WriteTemplate writes the import template to path: an .xlsx workbook (header row,
// example row, dropdowns for language and role, an Instructions sheet in French) or a
// .csv file (UTF-8 with BOM, ';' delimiter, so that French Excel opens it as columns).
// The file appears whole or not at all.
func WriteTemplate(path string) error {
	var data []byte
	var err error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx":
		data, err = templateXLSX()
	case ".csv":
		data = templateCSV()
	default:
		return core.Errorf(core.EInvalid, "sheet.template_ext", frenchSpacing.Replace("Le modèle ne peut être enregistré qu'au format .xlsx ou .csv : choisissez un nom de fichier qui se termine par .xlsx ou .csv (par exemple « {{.File}}.xlsx »)."),
			map[string]any{"File": strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))})
	}
	if err != nil {
		return core.Errorf(core.EInternal, "sheet.template", "Le modèle n'a pas pu être préparé.", nil).Wrap(err)
	}
	return writeFileAtomic(path, data)
}

func writeFileAtomic(path string, data []byte) error {
	name := filepath.Base(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+name+".*")
	if err != nil {
		return errWrite(name, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return errWrite(name, err)
	}
	if err := tmp.Close(); err != nil {
		return errWrite(name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return errWrite(name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return errWrite(name, err)
	}
	return nil
}

func errWrite(file string, err error) error {
	return fileError("sheet.write", "Le fichier « {{.File}} » n'a pas pu être enregistré. Vérifiez que le dossier existe, que vous pouvez y écrire et que le fichier n'est pas ouvert dans Excel, puis réessayez.", file, nil).Wrap(err)
}

func templateCSV() []byte {
	var b bytes.Buffer
	b.Write(utf8BOM)
	writeCSVRecord(&b, templateHeader, ';')
	writeCSVRecord(&b, templateExample, ';')
	return b.Bytes()
}

// writeCSVRecord writes one CSV record the way Excel does: fields quoted when they hold
// the delimiter, a quote or a line break; records ended by \r\n.
func writeCSVRecord(b *bytes.Buffer, cells []string, delim byte) {
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(delim)
		}
		if strings.ContainsAny(c, "\"\r\n;,\t") || strings.IndexByte(c, delim) >= 0 {
			b.WriteByte('"')
			b.WriteString(strings.ReplaceAll(c, `"`, `""`))
			b.WriteByte('"')
			continue
		}
		b.WriteString(c)
	}
	b.WriteString("\r\n")
}

func templateXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", TemplateSheet); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(TemplateSheet, "A1", &templateHeader); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(TemplateSheet, "A2", &templateExample); err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"2F5597"}},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	if err != nil {
		return nil, err
	}
	last := columnName(len(templateHeader))
	if err := f.SetCellStyle(TemplateSheet, "A1", last+"1", head); err != nil {
		return nil, err
	}
	widths := []float64{34, 16, 18, 26, 22, 12, 16}
	for i, w := range widths {
		c := columnName(i + 1)
		if err := f.SetColWidth(TemplateSheet, c, c, w); err != nil {
			return nil, err
		}
	}
	if err := f.SetPanes(TemplateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	for _, dd := range []struct {
		col, title, msg string
		values          []string
	}{
		{"F", "Langue", "Choisissez Français ou Anglais (les codes fr et en sont aussi acceptés).", TemplateLanguages()},
		{"G", "Rôle", "Choisissez Apprenant, Formateur ou Administrateur.", TemplateRoles()},
	} {
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(dd.col + "2:" + dd.col + "1048576")
		if err := dv.SetDropList(dd.values); err != nil {
			return nil, err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, dd.title, frenchSpacing.Replace(dd.msg))
		dv.SetInput(dd.title, frenchSpacing.Replace(dd.msg))
		if err := f.AddDataValidation(TemplateSheet, dv); err != nil {
			return nil, err
		}
	}
	if _, err := f.NewSheet(InstructionsSheet); err != nil {
		return nil, err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	for i, row := range instructions {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = frenchSpacing.Replace(c)
		}
		cell := "A" + strconv.Itoa(i+1)
		if err := f.SetSheetRow(InstructionsSheet, cell, &cells); err != nil {
			return nil, err
		}
	}
	if err := f.SetCellStyle(InstructionsSheet, "A2", "D8", wrap); err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(InstructionsSheet, "A1", "D1", head); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(InstructionsSheet, "A10", "A10", bold); err != nil {
		return nil, err
	}
	for c, w := range map[string]float64{"A": 14, "B": 12, "C": 80, "D": 28} {
		if err := f.SetColWidth(InstructionsSheet, c, c, w); err != nil {
			return nil, err
		}
	}
	f.SetActiveSheet(0)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
