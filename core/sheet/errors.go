package sheet

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"convive/core"
)

// Translation keys of the errors this package returns. The GUI picks its wording from
// them; KeyPassword in particular tells it to ask for the workbook's password.
const (
	KeyEmpty          = "sheet.empty"           // the file holds nothing
	KeyXLS            = "sheet.xls"             // Excel 97-2003 workbook
	KeyODS            = "sheet.ods"             // OpenDocument spreadsheet
	KeyXLSB           = "sheet.xlsb"            // Excel binary workbook
	KeyHTML           = "sheet.html"            // a web page named like a workbook
	KeyCorrupt        = "sheet.corrupt"         // damaged or incomplete zip or XML
	KeyNotSpreadsheet = "sheet.not_spreadsheet" // a zip that holds no workbook
	KeyUnknownFormat  = "sheet.unknown_format"  // binary content of another kind
	KeyPassword       = "sheet.password"        // encrypted workbook, no password given
	KeyWrongPassword  = "sheet.password_wrong"  // the password given does not open it
	KeyEncryption     = "sheet.encryption"      // encrypted with an unsupported method
	KeyTooBig         = "sheet.too_big"         // inflates beyond the unzip limit
	KeyTooManyRows    = "sheet.too_many_rows"   // more than MaxRows rows
	KeyTruncated      = "sheet.truncated"       // fewer rows than the sheet declares
	KeyNoSheet        = "sheet.no_sheet"        // the sheet asked for does not exist
	KeyNoSheets       = "sheet.no_sheets"       // a workbook without any worksheet
	KeyNotFound       = "sheet.not_found"       // the file does not exist
	KeyUnreadable     = "sheet.unreadable"      // the system refused to read the file
	KeyCancelled      = "sheet.cancelled"       // the manager stopped the reading
)

// NeedsPassword reports whether err says the workbook is encrypted and a password
// (or another one) must be asked for.
func NeedsPassword(err error) bool {
	var e *core.Error
	return errors.As(err, &e) && (e.Key == KeyPassword || e.Key == KeyWrongPassword)
}

// frenchSpacing puts the non-breaking spaces French typography wants inside « » and
// before : ; ? !, so that messages can be written with ordinary spaces below.
var frenchSpacing = strings.NewReplacer(
	"« ", "«\u00a0", " »", "\u00a0»", " :", "\u00a0:", " ;", "\u00a0;", " ?", "\u00a0?", " !", "\u00a0!")

// fileError builds the *core.Error for a file that cannot be read as a whole.
func fileError(key, message, file string, data map[string]any) *core.Error {
	d := map[string]any{"File": file}
	for k, v := range data {
		d[k] = v
	}
	return core.Errorf(core.EInvalid, key, frenchSpacing.Replace(message), d)
}

// frenchInt writes n with non-breaking spaces between thousands: 1 048 576.
func frenchInt(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// frenchSize writes a byte count in the unit a person reads best.
func frenchSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return frenchInt(int(n>>30)) + "\u00a0Go"
	case n >= 1<<20:
		return frenchInt(int(n>>20)) + "\u00a0Mo"
	case n >= 1<<10:
		return frenchInt(int(n>>10)) + "\u00a0Ko"
	}
	return frenchInt(int(n)) + "\u00a0octets"
}

func errEmpty(file string) error {
	return fileError(KeyEmpty, "Le fichier « {{.File}} » est vide. Vérifiez que vous avez choisi le bon fichier, ou enregistrez de nouveau votre tableau, puis réessayez.", file, nil)
}

func errXLS(file string) error {
	return fileError(KeyXLS, "Le fichier « {{.File}} » est au format Excel 97-2003 (.xls), que Convive ne lit pas. Ouvrez-le dans Excel, enregistrez-le au format .xlsx (Fichier › Enregistrer sous) puis réessayez.", file, nil)
}

func errODS(file string) error {
	return fileError(KeyODS, "Le fichier « {{.File}} » est au format OpenDocument (.ods), que Convive ne lit pas. Ouvrez-le dans LibreOffice Calc, enregistrez-le au format Excel 2007-365 (.xlsx) (Fichier › Enregistrer sous) puis réessayez.", file, nil)
}

func errXLSB(file string) error {
	return fileError(KeyXLSB, "Le fichier « {{.File}} » est un classeur binaire Excel (.xlsb), que Convive ne lit pas. Ouvrez-le dans Excel, enregistrez-le au format .xlsx (Fichier › Enregistrer sous) puis réessayez.", file, nil)
}

func errHTML(file string) error {
	return fileError(KeyHTML, "Le fichier « {{.File}} » est une page web (HTML), pas un vrai classeur, même si son nom le laisse croire. Ouvrez-le dans Excel, enregistrez-le au format .xlsx (Fichier › Enregistrer sous) puis réessayez.", file, nil)
}

func errCorrupt(file string, cause error) error {
	return fileError(KeyCorrupt, "Le fichier « {{.File}} » est endommagé ou incomplet : Convive ne peut pas le lire. Enregistrez de nouveau le classeur depuis Excel (ou téléchargez-le de nouveau) puis réessayez.", file, nil).Wrap(cause)
}

func errNotSpreadsheet(file string) error {
	return fileError(KeyNotSpreadsheet, "Le fichier « {{.File}} » est une archive ZIP qui ne contient pas de classeur Excel. Choisissez un fichier .xlsx ou .csv.", file, nil)
}

func errUnknownFormat(file string) error {
	return fileError(KeyUnknownFormat, "Le fichier « {{.File}} » n'est ni un classeur .xlsx ni un fichier texte .csv. Enregistrez votre tableau au format .xlsx ou .csv puis réessayez.", file, nil)
}

func errPassword(file string) error {
	return fileError(KeyPassword, "Le fichier « {{.File}} » est protégé par un mot de passe. Saisissez le mot de passe du classeur pour que Convive puisse le lire.", file, nil)
}

func errWrongPassword(file string) error {
	return fileError(KeyWrongPassword, "Ce mot de passe n'ouvre pas le fichier « {{.File}} ». Vérifiez-le (majuscules et minuscules comprises) puis réessayez.", file, nil)
}

func errEncryption(file string, cause error) error {
	return fileError(KeyEncryption, "Le fichier « {{.File}} » est chiffré d'une manière que Convive ne sait pas lire. Dans Excel, retirez le mot de passe (Fichier › Informations › Protéger le classeur) puis réessayez.", file, nil).Wrap(cause)
}

func errTooBig(file string, limit int64) error {
	return fileError(KeyTooBig, "Le fichier « {{.File}} » se décompresse en plus de {{.Limit}} : Convive refuse de l'ouvrir pour ne pas saturer la mémoire. S'il s'agit bien de votre tableau, découpez-le en plusieurs fichiers puis réessayez.", file, map[string]any{"Limit": frenchSize(limit)})
}

func errFileTooBig(file string, limit int64) error {
	return fileError(KeyTooBig, "Le fichier « {{.File}} » dépasse {{.Limit}} : c'est trop pour un tableau d'utilisateurs. Découpez-le en plusieurs fichiers puis réessayez.", file, map[string]any{"Limit": frenchSize(limit)})
}

func errTooManyRows(file, sheet string) error {
	return fileError(KeyTooManyRows, "La feuille « {{.Sheet}} » du fichier « {{.File}} » dépasse {{.Max}} lignes, le maximum d'une feuille Excel. Découpez-la en plusieurs fichiers puis réessayez.", file, map[string]any{"Sheet": sheet, "Max": frenchInt(MaxRows)})
}

func errTruncated(file, sheet string, declared, last int, cause error) error {
	return fileError(KeyTruncated, "La feuille « {{.Sheet}} » du fichier « {{.File}} » annonce {{.Declared}} lignes mais sa lecture s'arrête à la ligne {{.Last}} : le fichier est tronqué. Enregistrez de nouveau le classeur depuis Excel (ou téléchargez-le de nouveau) puis réessayez.", file,
		map[string]any{"Sheet": sheet, "Declared": frenchInt(declared), "Last": frenchInt(last)}).Wrap(cause)
}

func errCutXML(file, sheet string, last int, cause error) error {
	return fileError(KeyTruncated, "La feuille « {{.Sheet}} » du fichier « {{.File}} » est coupée après la ligne {{.Last}} : le fichier est tronqué ou endommagé. Enregistrez de nouveau le classeur depuis Excel (ou téléchargez-le de nouveau) puis réessayez.", file,
		map[string]any{"Sheet": sheet, "Last": frenchInt(last)}).Wrap(cause)
}

func errNoSheet(file, sheet string, names []string) error {
	return fileError(KeyNoSheet, "Le fichier « {{.File}} » ne contient pas de feuille « {{.Sheet}} ». Feuilles disponibles : {{.Sheets}}.", file,
		map[string]any{"Sheet": sheet, "Sheets": "« " + strings.Join(names, " », « ") + " »"})
}

func errNoSheets(file string) error {
	return fileError(KeyNoSheets, "Le classeur « {{.File}} » ne contient aucune feuille de calcul. Ajoutez vos lignes dans une feuille, enregistrez puis réessayez.", file, nil)
}

// errOS turns a failure of the system to read the file into a French sentence.
func errOS(file string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return core.Errorf(core.ENotFound, KeyNotFound, frenchSpacing.Replace("Le fichier « {{.File}} » est introuvable. Il a peut-être été déplacé ou renommé : choisissez-le de nouveau."), map[string]any{"File": file}).Wrap(err)
	case errors.Is(err, os.ErrPermission):
		return fileError(KeyUnreadable, "Convive n'a pas le droit de lire le fichier « {{.File}} ». Fermez-le s'il est ouvert dans un autre programme, ou copiez-le dans votre dossier Documents, puis réessayez.", file, nil).Wrap(err)
	}
	return fileError(KeyUnreadable, "Le fichier « {{.File}} » n'a pas pu être lu. Fermez-le s'il est ouvert dans un autre programme, ou copiez-le dans votre dossier Documents, puis réessayez.", file, nil).Wrap(err)
}

func errCancelled(cause error) error {
	return core.Errorf(core.ECancelled, KeyCancelled, "Lecture du fichier annulée.", nil).Wrap(cause)
}
