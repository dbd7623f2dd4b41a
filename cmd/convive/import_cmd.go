package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"text/tabwriter"

	"convive/assets"
	"convive/core"
	"convive/core/importer"
	"convive/core/sheet"
	"convive/core/sqlite"
)

const helpImport = `Paramètre plusieurs comptes à partir d'un tableur : chaque ligne du fichier
devient un compte (ou met à jour celui qui existe), dans les groupes indiqués. Tout
est enregistré d'un coup, ou rien ; l'import peut ensuite être annulé en entier.
Les lignes sont enregistrées pendant la lecture du fichier, dans une seule
transaction : si le fichier ne peut pas être lu jusqu'au bout, ou si vous
interrompez l'import (Ctrl+C), rien n'est enregistré.

Utilisation :
  convive [--db FICHIER] import FICHIER [OPTIONS]
  convive [--db FICHIER] import --undo NUMÉRO
  convive [--db FICHIER] import --list

FICHIER est un classeur .xlsx ou un fichier .csv (séparateur ; , ou tabulation,
UTF-8 ou Windows-1252). La première ligne donne les titres des colonnes, en français
ou en anglais : E-mail (obligatoire), Prénom, Nom, Groupe, Groupe 2…, Langue, Rôle.
Les autres colonnes sont signalées et ignorées. Modèle : convive template modele.xlsx

Options :
  --sheet NOM           feuille à lire (par défaut : la première qui n'est pas vide)
  --mode MODE           create : crée les nouveaux comptes, laisse les autres ;
                        upsert : crée les nouveaux et met à jour les autres (par défaut) ;
                        update : met à jour les comptes existants seulement
  --action ACTION       provision : les comptes sont créés actifs (par défaut) ;
                        invite : chaque nouvelle personne reçoit une invitation
                        (un e-mail mis dans la boîte d'envoi)
  --group CHEMIN        groupe où placer toutes les lignes, en plus de leur colonne
                        Groupe ; répétable. Les groupes qui manquent sont créés.
  --language fr|en      langue des e-mails et des lignes sans langue (par défaut : fr)
  --dry-run             lit et vérifie le fichier sans rien enregistrer
  --report FICHIER      écrit les lignes rejetées (.xlsx ou .csv) avec une colonne
                        « Motif du rejet »
  --json                écrit le résultat en un objet JSON, pour un script
  --password-stdin      lit sur l'entrée standard le mot de passe d'un classeur protégé
  --undo NUMÉRO         annule l'import NUMÉRO : supprime les comptes qu'il a créés,
                        rétablit ce qu'il a modifié, annule ses invitations en attente
  --list                liste les imports enregistrés

Code de retour : 0 quand le fichier a été lu (même avec des lignes rejetées), 1 quand
il n'a pas pu l'être ou que l'enregistrement a échoué (rien n'est alors enregistré),
2 pour une ligne de commande incorrecte.

Exemples :
  convive import personnes.xlsx --dry-run
  convive import personnes.xlsx --action invite --group "Nouveaux arrivants"
  convive import personnes.csv --mode update --report rejets.xlsx
  convive import --undo 3
`

const helpTemplate = `Écrit le modèle de fichier d'import : les colonnes E-mail, Prénom, Nom, Groupe,
Groupe 2, Langue et Rôle, et une ligne d'exemple à remplacer. Le modèle .xlsx a aussi
des listes déroulantes pour la langue et le rôle, et une feuille d'instructions.

Utilisation :
  convive template FICHIER.xlsx|FICHIER.csv

Exemple :
  convive template modele-import.xlsx
`

// importResult is the --json output of import, keys in this order.
type importResult struct {
	File              string        `json:"file"`
	Rows              int           `json:"rows"`
	Blank             int           `json:"blank"`
	New               int           `json:"new"`
	Updated           int           `json:"updated"`
	Unchanged         int           `json:"unchanged"`
	Duplicates        int           `json:"duplicates"`
	Invalid           int           `json:"invalid"`
	Created           int           `json:"created"`
	InvitationsQueued int           `json:"invitations_queued"`
	Batch             *int64        `json:"batch"`
	Errors            []importError `json:"errors"`
}

type importError struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// importCmd runs "convive import".
func (c *cli) importCmd(args []string) int {
	const name = "convive import"
	fs := c.flags(name)
	sheetName := fs.String("sheet", "", "")
	mode := fs.String("mode", string(core.ModeUpsert), "")
	action := fs.String("action", string(core.ActionProvision), "")
	language := fs.String("language", "", "")
	var groups stringList
	fs.Var(&groups, "group", "")
	dryRun := fs.Bool("dry-run", false, "")
	report := fs.String("report", "", "")
	asJSON := fs.Bool("json", false, "")
	pwStdin := fs.Bool("password-stdin", false, "")
	undo := fs.String("undo", "", "")
	list := fs.Bool("list", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpImport)
	switch {
	case !ok:
		return code
	case *list:
		return c.importList()
	case *undo != "":
		id, err := strconv.ParseInt(strings.TrimSpace(*undo), 10, 64)
		if err != nil || id <= 0 {
			return c.usageError(userErrorf("--undo attend le numéro d'un import (« %s » n'en est pas un) ; les numéros sont listés par convive import --list.", *undo), name)
		}
		return c.importUndo(id, *asJSON)
	case len(rest) == 0:
		return c.usageError(userErrorf("Indiquez le fichier à importer, par exemple : convive import personnes.xlsx"), name)
	case len(rest) > 1:
		return c.usageError(userErrorf("Un seul fichier à la fois (« %s » est en trop).", rest[1]), name)
	}
	opts := core.ImportOptions{Mode: core.ImportMode(*mode), Action: core.ImportAction(*action), DefaultGroups: groups}
	if strings.TrimSpace(*language) != "" {
		l, ok := core.ParseLanguage(*language)
		if !ok {
			return c.usageError(userErrorf("La langue « %s » n'est pas connue : indiquez fr ou en.", *language), name)
		}
		opts.Language = l
	}
	switch opts.Mode {
	case core.ModeCreate, core.ModeUpsert, core.ModeUpdate:
	default:
		return c.usageError(userErrorf("Le mode « %s » n'existe pas : indiquez create, upsert ou update.", *mode), name)
	}
	switch opts.Action {
	case core.ActionProvision, core.ActionInvite:
	default:
		return c.usageError(userErrorf("L'action « %s » n'existe pas : indiquez provision ou invite.", *action), name)
	}
	req := importer.Request{Source: importer.Source{Path: rest[0]}, Sheet: *sheetName, Options: opts}
	if *pwStdin {
		pw, err := readLine(c.stdin)
		if err != nil {
			return c.fail(err)
		}
		req.Password = pw
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer st.Close()
	var mail core.ImportMail
	if opts.Action == core.ActionInvite && !*dryRun {
		// the mails need the platform's address: say so before reading anything
		m, err := core.NewMailer(ctx, st, assets.DefaultMailTemplate)
		if err != nil {
			return c.fail(err)
		}
		if _, err := m.Link(core.PathInvitation, "x"); err != nil {
			return c.fail(err)
		}
		mail = m.ImportMail()
	}
	// the rows are written while the file is read, in one transaction; a dry run
	// only reads
	var pv *importer.Preview
	var batch core.Batch
	if *dryRun {
		pv, err = importer.Read(ctx, st, req)
	} else {
		meta := core.ImportMeta{}
		if opts.Action == core.ActionInvite {
			meta.Mail = mail
		}
		pv, batch, err = importer.Import(ctx, st, req, meta)
	}
	if err != nil {
		if sheet.NeedsPassword(err) && !*pwStdin {
			return c.fail(userErrorf("%s Donnez-le sur l'entrée standard avec --password-stdin.", strings.TrimSpace(message(err))))
		}
		return c.fail(err)
	}
	// sheet-wide warnings go to stderr, for a person, even with --json
	for _, w := range pv.Warnings {
		if w.Code != "import.example_row" {
			fmt.Fprintf(c.stderr, "Attention\u00a0: %s\n", french(w.Message))
		}
	}
	if *report != "" {
		if _, err := pv.WriteRejected(*report); err != nil {
			return c.fail(err)
		}
	}
	p := pv.Plan
	res := importResult{File: pv.File, Rows: p.Count(), Blank: p.Blank, New: p.New, Updated: p.Updated,
		Unchanged: p.Unchanged, Duplicates: p.Duplicate, Invalid: p.Invalid, Errors: []importError{}}
	for _, pr := range p.Problems() {
		res.Errors = append(res.Errors, importError{Row: pr.Line, Column: pr.Column, Code: pr.Code, Message: pr.Message})
	}
	if batch.ID != 0 {
		res.Created, res.InvitationsQueued, res.Batch = batch.NewUsers, batch.Invited, &batch.ID
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return c.fail(err)
		}
		return exitOK
	}
	c.importSummary(pv, res, *dryRun, *report)
	return exitOK
}

// importSummary prints the French account of an import.
func (c *cli) importSummary(pv *importer.Preview, res importResult, dryRun bool, report string) {
	where := "« " + pv.File + " »"
	if pv.Sheet != "" {
		where += ", feuille « " + pv.Sheet + " »"
	}
	c.say("%s : %s jusqu'à la ligne %d, %s.", where, counted(res.Rows, "ligne lue", "lignes lues"), pv.Plan.LastLine,
		counted(res.Blank, "ligne vide ignorée", "lignes vides ignorées"))
	if unknown := pv.Mapping.Unknown(); len(unknown) > 0 {
		var names []string
		for _, col := range unknown {
			names = append(names, "« "+col.Name()+" »")
		}
		c.say("Colonnes ignorées : %s.", strings.Join(names, ", "))
	}
	c.say("  Nouveaux : %s   Mises à jour : %s   Inchangés : %s   Doublons : %s   Rejetées : %s",
		frenchInt(res.New), frenchInt(res.Updated), frenchInt(res.Unchanged), frenchInt(res.Duplicates), frenchInt(res.Invalid))
	const shown = 20
	for i, e := range res.Errors {
		if i == shown {
			c.say("  … et %s ; toutes les raisons : --report rejets.xlsx", counted(len(res.Errors)-shown, "autre", "autres"))
			break
		}
		c.say("  %s", e.Message)
	}
	n := 0
	for _, r := range pv.Plan.Rows {
		for _, w := range r.Warnings {
			if n < shown {
				c.say("  Attention : %s", w.Message)
			}
			n++
		}
	}
	if n > shown {
		c.say("  … et %s.", counted(n-shown, "autre remarque", "autres remarques"))
	}
	switch {
	case dryRun:
		c.say("Essai (--dry-run) : rien n'a été enregistré.")
	case res.Batch == nil:
		c.say("Aucune ligne à enregistrer.")
	default:
		c.say("Import n° %d enregistré : %s, %s, %s dans la boîte d'envoi. Pour l'annuler : convive import --undo %d",
			*res.Batch, counted(res.Created, "compte créé", "comptes créés"), counted(res.Updated, "mis à jour", "mis à jour"),
			counted(res.InvitationsQueued, "invitation", "invitations"), *res.Batch)
	}
	if report != "" {
		c.say("Lignes rejetées écrites dans « %s ».", report)
	}
}

// importUndo runs "convive import --undo ID".
func (c *cli) importUndo(id int64, asJSON bool) int {
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		b, err := st.UndoBatch(ctx, id)
		if err != nil {
			return c.fail(err)
		}
		if asJSON {
			enc := json.NewEncoder(c.stdout)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(map[string]any{"batch": b.ID, "file": b.File, "undone": b.Undone}); err != nil {
				return c.fail(err)
			}
			return exitOK
		}
		done := []string{plural(b.NewUsers, "il n'avait créé aucun compte", "le compte qu'il avait créé est supprimé",
			"les %s comptes qu'il avait créés sont supprimés")}
		if b.Updated > 0 {
			done = append(done, plural(b.Updated, "", "le compte qu'il avait modifié est rétabli", "les %s comptes qu'il avait modifiés sont rétablis"))
		}
		c.say("Import n° %d (« %s ») annulé : %s, ses invitations en attente sont annulées.", b.ID, b.File, strings.Join(done, ", "))
		return exitOK
	})
}

// importList runs "convive import --list".
func (c *cli) importList() int {
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		list, err := st.Batches(ctx)
		if err != nil {
			return c.fail(err)
		}
		if len(list) == 0 {
			c.say("Aucun import enregistré.")
			return exitOK
		}
		w := bufio.NewWriter(c.stdout)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "N°\tDate\tFichier\tFeuille\tCréés\tMis à jour\tInvités\tAnnulé le")
		for _, b := range list {
			undone := ""
			if !b.Undone.IsZero() {
				undone = b.Undone.Local().Format("02/01/2006 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.Created.Local().Format("02/01/2006 15:04"),
				b.File, b.Sheet, frenchInt(b.NewUsers), frenchInt(b.Updated), frenchInt(b.Invited), undone)
		}
		tw.Flush()
		if err := w.Flush(); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// template runs "convive template FILE".
func (c *cli) template(args []string) int {
	const name = "convive template"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpTemplate)
	switch {
	case !ok:
		return code
	case len(rest) != 1:
		return c.usageError(userErrorf("Indiquez le fichier à écrire, par exemple : convive template modele-import.xlsx"), name)
	}
	if err := sheet.WriteTemplate(rest[0]); err != nil {
		return c.fail(err)
	}
	c.say("Modèle écrit dans « %s ».", rest[0])
	return exitOK
}

// readLine reads one line from r (a password), without its line end.
func readLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil && err != io.EOF {
			return "", err
		}
		return "", userErrorf("--password-stdin : l'entrée standard est vide. Envoyez le mot de passe du classeur sur une ligne, par exemple : printf '%%s\\n' \"$MOT_DE_PASSE\" | convive import classeur.xlsx --password-stdin")
	}
	return line, nil
}
