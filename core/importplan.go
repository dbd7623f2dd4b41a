package core

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is what a spreadsheet column holds for the import.
type Field string

// Import fields. FieldIgnore marks a column that is shown in the preview and ignored.
const (
	FieldIgnore    Field = ""
	FieldEmail     Field = "email"
	FieldFirstName Field = "first_name"
	FieldLastName  Field = "last_name"
	FieldGroup     Field = "group"
	FieldLanguage  Field = "language"
	FieldRole      Field = "role"
)

// Label returns the French column name of the field, as the template writes it.
func (f Field) Label() string {
	switch f {
	case FieldEmail:
		return "E-mail"
	case FieldFirstName:
		return "Prénom"
	case FieldLastName:
		return "Nom"
	case FieldGroup:
		return "Groupe"
	case FieldLanguage:
		return "Langue"
	case FieldRole:
		return "Rôle"
	}
	return "Ignorée"
}

// Column ties a column of the sheet (0-based Index, header text as read) to a field.
type Column struct {
	Index  int
	Header string
	Field  Field
}

// ImportMode says what the import may do with existing and new accounts.
type ImportMode string

// Import modes.
const (
	ModeCreate ImportMode = "create" // new accounts only; existing ones are left alone
	ModeUpsert ImportMode = "upsert" // create new accounts and update existing ones
	ModeUpdate ImportMode = "update" // update existing accounts only
)

// ImportAction says what happens to new people.
type ImportAction string

// Import actions.
const (
	ActionProvision ImportAction = "provision" // the account is created now
	ActionInvite    ImportAction = "invite"    // an invitation mail is queued
)

// ImportOptions are the manager's choices for one import.
type ImportOptions struct {
	Mode          ImportMode
	Action        ImportAction
	DefaultGroups []string // group paths every row joins
	Language      Language // language of the mails and of rows without one
}

// RowStatus is the verdict on one row of the sheet.
type RowStatus string

// Row statuses.
const (
	RowNew       RowStatus = "new"
	RowUpdate    RowStatus = "update"
	RowUnchanged RowStatus = "unchanged"
	RowDuplicate RowStatus = "duplicate"
	RowInvalid   RowStatus = "invalid"
)

// Label returns the French word shown for the status.
func (s RowStatus) Label() string {
	switch s {
	case RowNew:
		return "Nouveau"
	case RowUpdate:
		return "Mise à jour"
	case RowUnchanged:
		return "Inchangé"
	case RowDuplicate:
		return "Doublon"
	}
	return "Invalide"
}

// RowProblem explains why a row is refused, or what deserves a second look.
type RowProblem struct {
	Line    int    // 1-based row number in the sheet
	Column  string // header text of the column, "" for the whole row
	Code    string // stable code for scripts, e.g. "address.no_at"
	Message string // French sentence saying what, where and what to do
}

// PlannedRow is one non-blank row with its verdict; nothing is written yet.
type PlannedRow struct {
	Line      int
	Cells     []string // as read, for the preview and the rejected-rows export
	Status    RowStatus
	Address   Address
	FirstName string
	LastName  string
	Language  Language // "" when the sheet says nothing
	Role      Role     // "" when the sheet says nothing
	Groups    []string // cleaned group paths, from the row and the default groups
	Existing  *User    // the account an update or unchanged row refers to
	Changes   []string // French names of the fields an update changes
	Problems  []RowProblem
	Warnings  []RowProblem
}

// ImportPlan is the preview of an import: every row's verdict and the counts.
type ImportPlan struct {
	Columns   []Column
	Options   ImportOptions
	Rows      []PlannedRow
	Blank     int // blank rows skipped
	LastLine  int // last row number read
	New       int
	Updated   int
	Unchanged int
	Duplicate int
	Invalid   int
}

// Problems returns every refusal, in row order.
func (p *ImportPlan) Problems() []RowProblem {
	var out []RowProblem
	for _, r := range p.Rows {
		out = append(out, r.Problems...)
	}
	return out
}

// Count returns how many non-blank rows were read: the sum of the statuses.
func (p *ImportPlan) Count() int {
	return p.New + p.Updated + p.Unchanged + p.Duplicate + p.Invalid
}

// Writable returns how many rows the commit would write (new and updated ones).
func (p *ImportPlan) Writable() int { return p.New + p.Updated }

// UserLookup finds existing accounts by login key and by delivery-address key; the
// store implements it with one query per chunk of keys.
type UserLookup interface {
	UsersByKeys(ctx context.Context, loginKeys, emailKeys []string) (byLogin, byEmail map[string]User, err error)
}

// Planner turns the rows of a sheet into an ImportPlan. Rows are added as they are
// read (Add), then Finish looks existing accounts up in bulk and settles the statuses.
type Planner struct {
	plan     ImportPlan
	email    int // index into the row of the e-mail column, -1 when missing
	headers  map[int]string
	seen     map[string]int // login key → line of its first occurrence
	platform string

	// A sheet repeats the same domains, groups, languages and roles on thousands of
	// rows: each distinct cell is judged once.
	domains map[string]string // domain → suggested domain, "" when it looks right
	folds   map[string]string // group path → Fold of it
	paths   map[string]pathResult
	langs   map[string]Language // cell → language, "" when unknown
	roles   map[string]Role     // cell → role, "" when unknown

	// Rows are kept in fixed chunks while they come, then laid out once in Finish:
	// growing one slice of 100 000 big rows copied them over and over.
	chunks [][]PlannedRow
	count  int
}

// rowChunk is the number of rows per chunk.
const rowChunk = 4096

type pathResult struct {
	path string
	err  error
}

// suggest is SuggestDomain with one computation per distinct domain.
func (p *Planner) suggest(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return ""
	}
	d, seen := p.domains[domain]
	if !seen {
		if s := SuggestDomain("x@" + domain); s != "" {
			d = s[2:]
		}
		p.domains[domain] = d
	}
	if d == "" {
		return ""
	}
	return local + "@" + d
}

// cleanPath is CleanGroupPath with one computation per distinct text.
func (p *Planner) cleanPath(s string) (string, error) {
	r, ok := p.paths[s]
	if !ok {
		r.path, r.err = CleanGroupPath(s)
		p.paths[s] = r
	}
	return r.path, r.err
}

// fold is Fold with one computation per distinct group path.
func (p *Planner) fold(s string) string {
	f, ok := p.folds[s]
	if !ok {
		f = Fold(s)
		p.folds[s] = f
	}
	return f
}

// containsFold reports whether list holds s, case and accents aside.
func (p *Planner) containsFold(list []string, s string) bool {
	f := p.fold(s)
	for _, x := range list {
		if p.fold(x) == f {
			return true
		}
	}
	return false
}

// NewPlanner checks the column mapping and the options and returns a planner. platform
// is the organisation's platform name, used to suggest "#" aliases.
func NewPlanner(columns []Column, opts ImportOptions, platform string) (*Planner, error) {
	p := &Planner{email: -1, headers: map[int]string{}, seen: map[string]int{}, platform: platform,
		domains: map[string]string{}, folds: map[string]string{}, paths: map[string]pathResult{},
		langs: map[string]Language{}, roles: map[string]Role{}}
	for _, c := range columns {
		p.headers[c.Index] = c.Header
		if c.Field == FieldEmail {
			if p.email >= 0 {
				return nil, Errorf(EInvalid, "import.two_email_columns", "Deux colonnes sont associées à l'e-mail («\u00a0{{.A}}\u00a0» et «\u00a0{{.B}}\u00a0»). Gardez-en une seule.", map[string]any{"A": p.headers[p.email], "B": c.Header})
			}
			p.email = c.Index
		}
	}
	if p.email < 0 {
		return nil, Errorf(EInvalid, "import.no_email_column", "Aucune colonne ne contient l'e-mail. Nommez une colonne «\u00a0E-mail\u00a0» dans la première ligne, ou associez-la à la main dans l'aperçu.", nil)
	}
	switch opts.Mode {
	case "":
		opts.Mode = ModeUpsert
	case ModeCreate, ModeUpsert, ModeUpdate:
	default:
		return nil, Errorf(EInvalid, "import.mode", "Mode d'import inconnu\u00a0: «\u00a0{{.Mode}}\u00a0».", map[string]any{"Mode": string(opts.Mode)})
	}
	switch opts.Action {
	case "":
		opts.Action = ActionProvision
	case ActionProvision, ActionInvite:
	default:
		return nil, Errorf(EInvalid, "import.action", "Action inconnue pour les nouveaux comptes\u00a0: «\u00a0{{.Action}}\u00a0».", map[string]any{"Action": string(opts.Action)})
	}
	if opts.Language == "" {
		opts.Language = LangFR
	}
	var defaults []string
	for _, g := range opts.DefaultGroups {
		path, err := CleanGroupPath(g)
		if err != nil {
			return nil, err
		}
		if path != "" {
			defaults = append(defaults, path)
		}
	}
	opts.DefaultGroups = defaults
	p.plan.Columns = columns
	p.plan.Options = opts
	return p, nil
}

// Add plans one row; line is its 1-based number in the sheet.
func (p *Planner) Add(line int, cells []string) {
	if line > p.plan.LastLine {
		p.plan.LastLine = line
	}
	blank := true
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			blank = false
			break
		}
	}
	if blank {
		p.plan.Blank++
		return
	}
	r := PlannedRow{Line: line, Cells: cells, Status: RowNew}
	cell := func(i int) string {
		if i < len(cells) {
			return strings.TrimSpace(cells[i])
		}
		return ""
	}
	refuse := func(col int, err error) {
		pr := RowProblem{Line: line, Code: EInvalid, Message: ErrorMessage(err)}
		if col >= 0 {
			pr.Column = p.headers[col]
		}
		if e, ok := err.(*Error); ok && e.Key != "" {
			pr.Code = e.Key
		}
		pr.Message = locate(pr, pr.Message)
		r.Problems = append(r.Problems, pr)
	}
	groups := append([]string(nil), p.plan.Options.DefaultGroups...)
	for _, c := range p.plan.Columns {
		v := cell(c.Index)
		switch c.Field {
		case FieldEmail:
			if v == "" {
				refuse(c.Index, Errorf(EInvalid, "import.email_missing", "l'e-mail est vide.", nil))
				continue
			}
			a, err := ParseAddress(v)
			if err != nil {
				refuse(c.Index, err)
				continue
			}
			r.Address = a
			if s := p.suggest(a.Email); s != "" {
				w := RowProblem{Line: line, Column: c.Header, Code: "import.domain_typo"}
				w.Message = locate(w, Render("le domaine de «\u00a0{{.Address}}\u00a0» ressemble à une faute de frappe\u00a0: vouliez-vous dire «\u00a0{{.Suggestion}}\u00a0»\u00a0?", map[string]any{"Address": a.Login, "Suggestion": s}))
				r.Warnings = append(r.Warnings, w)
			}
		case FieldFirstName, FieldLastName:
			name := CleanName(v)
			if len([]rune(name)) > 100 {
				refuse(c.Index, Errorf(EInvalid, "import.name_long", "le nom dépasse 100 caractères.", nil))
				continue
			}
			if c.Field == FieldFirstName {
				r.FirstName = name
			} else {
				r.LastName = name
			}
		case FieldLanguage:
			if v == "" {
				continue
			}
			l, seen := p.langs[v]
			if !seen {
				l, _ = ParseLanguage(v)
				p.langs[v] = l
			}
			if l == "" {
				refuse(c.Index, Errorf(EInvalid, "import.language", "«\u00a0{{.Value}}\u00a0» n'est pas une langue connue\u00a0: indiquez «\u00a0français\u00a0» ou «\u00a0anglais\u00a0» (fr ou en).", map[string]any{"Value": v}))
				continue
			}
			r.Language = l
		case FieldRole:
			if v == "" {
				continue
			}
			role, seen := p.roles[v]
			if !seen {
				role, _ = ParseRole(v)
				p.roles[v] = role
			}
			if role == "" {
				refuse(c.Index, Errorf(EInvalid, "import.role", "«\u00a0{{.Value}}\u00a0» n'est pas un rôle connu\u00a0: indiquez «\u00a0apprenant\u00a0», «\u00a0formateur\u00a0» ou «\u00a0administrateur\u00a0».", map[string]any{"Value": v}))
				continue
			}
			r.Role = role
		case FieldGroup:
			for _, part := range strings.Split(v, ";") {
				path, err := p.cleanPath(part)
				if err != nil {
					refuse(c.Index, err)
					continue
				}
				if path != "" && !p.containsFold(groups, path) {
					groups = append(groups, path)
				}
			}
		}
	}
	r.Groups = groups
	if len(r.Problems) > 0 {
		r.Status = RowInvalid
	} else if first, dup := p.seen[r.Address.Key]; dup {
		r.Status = RowDuplicate
		d := RowProblem{Line: line, Column: p.headers[p.email], Code: "import.duplicate"}
		d.Message = locate(d, Render("«\u00a0{{.Address}}\u00a0» figure déjà ligne {{.First}}\u00a0; seule la première occurrence est importée.", map[string]any{"Address": r.Address.Login, "First": first}))
		r.Problems = append(r.Problems, d)
	} else {
		p.seen[r.Address.Key] = line
	}
	if n := len(p.chunks); n == 0 || len(p.chunks[n-1]) == cap(p.chunks[n-1]) {
		p.chunks = append(p.chunks, make([]PlannedRow, 0, rowChunk))
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, r)
	p.count++
}

// locate prefixes a message with where it applies: « ligne 12, colonne E-mail : … ».
func locate(pr RowProblem, message string) string {
	message = strings.TrimSpace(message)
	if r, size := utf8.DecodeRuneInString(message); unicode.IsUpper(r) {
		message = string(unicode.ToLower(r)) + message[size:]
	}
	data := map[string]any{"Line": pr.Line, "Column": pr.Column, "Message": message}
	if pr.Column == "" {
		return Render("Ligne {{.Line}}\u00a0: {{.Message}}", data)
	}
	return Render("Ligne {{.Line}}, colonne {{.Column}}\u00a0: {{.Message}}", data)
}

// Finish looks up existing accounts, settles every row's status and returns the plan
// with every row.
func (p *Planner) Finish(ctx context.Context, lookup UserLookup) (*ImportPlan, error) {
	rows, err := p.Settle(ctx, lookup)
	if err != nil {
		return nil, err
	}
	if p.plan.Rows == nil {
		p.plan.Rows = rows
	} else {
		p.plan.Rows = append(p.plan.Rows, rows...)
	}
	return &p.plan, nil
}

// Settle looks up the existing accounts of the rows added since the last call,
// settles their status, adds them to the counts and returns them, in order. An import
// that writes as it reads settles the rows a few hundred at a time; the plan then
// holds the counts (Summary) and only the rows the caller keeps.
func (p *Planner) Settle(ctx context.Context, lookup UserLookup) ([]PlannedRow, error) {
	var rows []PlannedRow
	if len(p.chunks) == 1 {
		rows = p.chunks[0]
	} else if p.count > 0 {
		rows = make([]PlannedRow, 0, p.count)
		for _, c := range p.chunks {
			rows = append(rows, c...)
		}
	}
	p.chunks, p.count = nil, 0
	const chunk = 500
	var loginKeys, emailKeys []string
	byLogin, byEmail := map[string]User{}, map[string]User{}
	flush := func() error {
		if len(loginKeys) == 0 {
			return nil
		}
		l, e, err := lookup.UsersByKeys(ctx, loginKeys, emailKeys)
		if err != nil {
			return err
		}
		for k, u := range l {
			byLogin[k] = u
		}
		for k, u := range e {
			byEmail[k] = u
		}
		loginKeys, emailKeys = loginKeys[:0], emailKeys[:0]
		return nil
	}
	for i := range rows {
		r := &rows[i]
		if r.Status != RowNew {
			continue
		}
		loginKeys = append(loginKeys, r.Address.Key)
		emailKeys = append(emailKeys, r.Address.EmailKey())
		if len(loginKeys) == chunk {
			if err := ctx.Err(); err != nil {
				return nil, Errorf(ECancelled, "import.cancelled", "Import interrompu.", nil).Wrap(err)
			}
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	mode := p.plan.Options.Mode
	for i := range rows {
		r := &rows[i]
		switch r.Status {
		case RowInvalid:
			p.plan.Invalid++
			continue
		case RowDuplicate:
			p.plan.Duplicate++
			continue
		}
		u, exists := byLogin[r.Address.Key]
		switch {
		case exists:
			r.Existing = &u
			r.Changes = p.changes(r, u)
			switch {
			case mode == ModeCreate:
				r.Status = RowUnchanged
				r.Changes = nil
			case len(r.Changes) == 0:
				r.Status = RowUnchanged
			default:
				r.Status = RowUpdate
			}
		case mode == ModeUpdate:
			r.Status = RowInvalid
			pr := RowProblem{Line: r.Line, Column: p.headers[p.email], Code: "import.unknown_account"}
			pr.Message = locate(pr, Render("aucun compte n'a l'identifiant «\u00a0{{.Address}}\u00a0»\u00a0; en mode «\u00a0mise à jour seule\u00a0», la ligne est ignorée.", map[string]any{"Address": r.Address.Login}))
			r.Problems = append(r.Problems, pr)
		default:
			r.Status = RowNew
			if other, used := byEmail[r.Address.EmailKey()]; used {
				w := RowProblem{Line: r.Line, Column: p.headers[p.email], Code: "import.address_used"}
				data := map[string]any{"Address": r.Address.Email, "Other": other.Login}
				msg := "l'adresse «\u00a0{{.Address}}\u00a0» reçoit déjà les e-mails du compte «\u00a0{{.Other}}\u00a0»."
				if alias, err := r.Address.WithAlias(p.platform); err == nil && alias.Key != r.Address.Key {
					data["Alias"] = alias.Login
					msg = "l'adresse «\u00a0{{.Address}}\u00a0» reçoit déjà les e-mails du compte «\u00a0{{.Other}}\u00a0». Pour un compte distinct, utilisez l'identifiant «\u00a0{{.Alias}}\u00a0»\u00a0: les e-mails arriveront à la même adresse."
				}
				w.Message = locate(w, Render(msg, data))
				r.Warnings = append(r.Warnings, w)
			}
		}
		switch r.Status {
		case RowNew:
			p.plan.New++
		case RowUpdate:
			p.plan.Updated++
		case RowUnchanged:
			p.plan.Unchanged++
		case RowInvalid:
			p.plan.Invalid++
		}
	}
	return rows, nil
}

// Summary returns the plan as settled so far, without its rows: columns, options and
// counts.
func (p *Planner) Summary() ImportPlan {
	s := p.plan
	s.Rows = nil
	return s
}

// changes lists, in French, the fields the row would change on u. Empty cells change
// nothing; groups are only ever added.
func (p *Planner) changes(r *PlannedRow, u User) []string {
	var out []string
	if r.FirstName != "" && r.FirstName != u.FirstName {
		out = append(out, "prénom")
	}
	if r.LastName != "" && r.LastName != u.LastName {
		out = append(out, "nom")
	}
	if r.Language != "" && r.Language != u.Language {
		out = append(out, "langue")
	}
	if r.Role != "" && r.Role != u.Role {
		out = append(out, "rôle")
	}
	for _, g := range r.Groups {
		if !p.containsFold(u.Groups, g) {
			out = append(out, "groupes")
			break
		}
	}
	return out
}

// wordKey folds a cell for ParseLanguage and ParseRole: case, accents, punctuation
// and spacing do not count, so "fr-FR", "FR_fr" and " Français " are read alike.
func wordKey(s string) string {
	var b strings.Builder
	space := false
	for _, r := range Fold(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// languageWords are the folded words read as each language: the French names the
// import template's dropdown offers, the codes (with their regions) and English names.
var languageWords = map[string]Language{
	"fr": LangFR, "francais": LangFR, "french": LangFR, "fra": LangFR, "fre": LangFR,
	"fr fr": LangFR, "fr be": LangFR, "fr ch": LangFR, "fr ca": LangFR,
	"en": LangEN, "anglais": LangEN, "english": LangEN, "eng": LangEN,
	"en gb": LangEN, "en us": LangEN,
}

// roleWords are the folded words read as each role: the French names the template's
// dropdown offers, their feminine and plural forms, English names and the stored codes.
var roleWords = map[string]Role{
	"apprenant": RoleLearner, "apprenante": RoleLearner, "apprenants": RoleLearner, "learner": RoleLearner,
	"student": RoleLearner, "stagiaire": RoleLearner,
	"formateur": RoleCoach, "formatrice": RoleCoach, "formateurs": RoleCoach, "coach": RoleCoach, "trainer": RoleCoach,
	"tuteur": RoleCoach, "tutrice": RoleCoach, "instructor": RoleCoach, "teacher": RoleCoach,
	"administrateur": RoleAdmin, "administratrice": RoleAdmin, "administrateurs": RoleAdmin, "admin": RoleAdmin,
	"administrator": RoleAdmin, "gestionnaire": RoleAdmin,
}

// ParseLanguage reads a language as a person writes it: Français/Anglais (the
// template's dropdown), fr, fr-FR, French, en…, whatever the case, accents and
// punctuation. It is the one reader of languages: the import, the template and the
// command line all go through it. An empty text is not a language (ok false).
func ParseLanguage(s string) (Language, bool) {
	l, ok := languageWords[wordKey(s)]
	return l, ok
}

// ParseRole reads a role in French or English: Apprenant/Formateur/Administrateur
// (the template's dropdown), their feminine forms, learner/coach/admin… An empty text
// is not a role (ok false).
func ParseRole(s string) (Role, bool) {
	r, ok := roleWords[wordKey(s)]
	return r, ok
}

// CleanGroupPath trims each part of a group path such as " Ventes / Région Sud ",
// drops a leading "Groupe général", and refuses empty parts in the middle.
func CleanGroupPath(path string) (string, error) {
	path = strings.TrimSpace(path)
	if path == "" {
		return "", nil
	}
	parts := strings.Split(path, "/")
	var out []string
	for i, part := range parts {
		part = CleanName(part)
		if part == "" {
			return "", Errorf(EInvalid, "group.path_empty_part", "Le chemin de groupe «\u00a0{{.Path}}\u00a0» contient une partie vide (deux / de suite ou un / au bout).", map[string]any{"Path": path})
		}
		if i == 0 && Fold(part) == Fold(RootGroupName) {
			continue
		}
		if len([]rune(part)) > 100 {
			return "", Errorf(EInvalid, "group.name_long", "Le nom de groupe «\u00a0{{.Name}}\u00a0» dépasse 100 caractères.", map[string]any{"Name": part})
		}
		out = append(out, part)
	}
	return strings.Join(out, "/"), nil
}
