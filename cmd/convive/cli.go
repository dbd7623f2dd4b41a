package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"convive/core"
	"convive/core/sqlite"
)

// Exit statuses.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and failed: bad data, unknown group, unreadable file
	exitUsage   = 2 // the command line itself is wrong
)

// envDB names the environment variable that chooses the database when --db is absent.
const envDB = "CONVIVE_DB"

// errHelp is returned by parseArgs when -h, --help or -help was given.
var errHelp = flag.ErrHelp

// cli carries the streams and the global options of one run.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	dbPath         string // from --db; "" means CONVIVE_DB or the default
}

// flags returns a flag set that reports nothing itself (messages are French and
// printed by usageError) and accepts --db, so that the option may follow the command.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&c.dbPath, "db", c.dbPath, "")
	return fs
}

// parseArgs parses fs from args and returns the other arguments. Unless stopAtFirst,
// options may come after the arguments too (users add EMAIL --first-name …), as people
// type them; "--" ends the options.
func parseArgs(fs *flag.FlagSet, args []string, stopAtFirst bool) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		left := fs.Args()
		if stopAtFirst || len(left) == 0 {
			return append(rest, left...), nil
		}
		if used := len(args) - len(left); used > 0 && args[used-1] == "--" {
			return append(rest, left...), nil
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
}

// parseFlags parses a command's options and returns its other arguments (see
// parseArgs). When ok is false the command is over and code is its exit status: the
// help was asked for and printed, or an option was wrong and the error reported with
// the command's name (fs.Name()).
func (c *cli) parseFlags(fs *flag.FlagSet, args []string, help string) (rest []string, code int, ok bool) {
	rest, err := parseArgs(fs, args, false)
	switch {
	case err == errHelp:
		return nil, c.help(help), false
	case err != nil:
		return nil, c.usageError(err, fs.Name()), false
	}
	return rest, exitOK, true
}

// noArgs is parseFlags for a command that takes options only: an argument is refused
// as a usage error.
func (c *cli) noArgs(fs *flag.FlagSet, args []string, help string) (code int, ok bool) {
	rest, code, ok := c.parseFlags(fs, args, help)
	if ok && len(rest) > 0 {
		name := fs.Name()
		return c.usageError(userErrorf("« %s » n'attend pas d'argument (« %s »).", strings.TrimPrefix(name, "convive "), rest[0]), name), false
	}
	return code, ok
}

// dbFile returns the database chosen by --db, CONVIVE_DB or the default location.
func (c *cli) dbFile() (string, error) {
	if c.dbPath != "" {
		return c.dbPath, nil
	}
	if p := strings.TrimSpace(os.Getenv(envDB)); p != "" {
		return p, nil
	}
	return sqlite.DefaultPath()
}

// open opens the chosen database, creating it when it does not exist yet.
func (c *cli) open() (*sqlite.Store, error) {
	path, err := c.dbFile()
	if err != nil {
		return nil, err
	}
	return sqlite.Open(path)
}

// withStore opens the chosen database, runs body on it with a background context,
// closes it and returns body's exit status; a database that cannot be opened is
// reported as a failure, and body does not run.
func (c *cli) withStore(body func(ctx context.Context, st *sqlite.Store) int) int {
	st, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	defer st.Close()
	return body(context.Background(), st)
}

// dispatch runs the command named by args[0].
func (c *cli) dispatch(args []string) int {
	switch args[0] {
	case "groups", "group":
		return c.groups(args[1:])
	case "users", "user":
		return c.users(args[1:])
	case "version":
		return c.version(args[1:])
	case "smtp":
		return c.smtpCmd(args[1:])
	case "outbox":
		return c.outbox(args[1:])
	case "send":
		return c.send(args[1:])
	case "import":
		return c.importCmd(args[1:])
	case "template":
		return c.template(args[1:])
	case "invite":
		return c.invite(args[1:])
	case "provision":
		return c.provision(args[1:])
	case "invitations":
		return c.invitations(args[1:])
	case "cancel":
		return c.cancel(args[1:])
	case "accept":
		return c.accept(args[1:])
	case "platform":
		return c.platform(args[1:])
	case "courses", "course":
		return c.courses(args[1:])
	case "sessions", "session":
		return c.sessions(args[1:])
	case "help":
		return c.helpTopic(args[1:])
	}
	return c.usageError(userErrorf("La commande « %s » n'existe pas.", args[0]), "convive")
}

// groups runs "convive groups ACTION".
func (c *cli) groups(args []string) int {
	if len(args) == 0 {
		return c.usageError(userErrorf("Indiquez une action : add ou list."), "convive groups")
	}
	switch args[0] {
	case "add":
		return c.groupsAdd(args[1:])
	case "list", "ls":
		return c.groupsList(args[1:])
	case "-h", "--help", "-help", "help":
		return c.help(helpGroups)
	}
	return c.usageError(userErrorf("L'action « %s » n'existe pas pour les groupes : utilisez add ou list.", args[0]), "convive groups")
}

// users runs "convive users ACTION".
func (c *cli) users(args []string) int {
	if len(args) == 0 {
		return c.usageError(userErrorf("Indiquez une action : add ou list."), "convive users")
	}
	switch args[0] {
	case "add":
		return c.usersAdd(args[1:])
	case "list", "ls":
		return c.usersList(args[1:])
	case "set-email":
		return c.usersSetEmail(args[1:])
	case "reset-password":
		return c.usersResetPassword(args[1:])
	case "-h", "--help", "-help", "help":
		return c.help(helpUsers)
	}
	return c.usageError(userErrorf("L'action « %s » n'existe pas pour les utilisateurs : utilisez add, list, set-email ou reset-password.", args[0]), "convive users")
}

// version runs "convive version".
func (c *cli) version(args []string) int {
	rest, code, ok := c.parseFlags(c.flags("convive version"), args, helpVersion)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("La commande « version » n'attend pas d'argument (« %s »).", rest[0]), "convive version")
	}
	fmt.Fprintf(c.stdout, "Convive %s\n", version)
	return exitOK
}

// groupsAdd runs "convive groups add PATH".
func (c *cli) groupsAdd(args []string) int {
	const name = "convive groups add"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpGroupsAdd)
	switch {
	case !ok:
		return code
	case len(rest) == 0 || strings.Trim(rest[0], " /") == "":
		return c.usageError(userErrorf("Indiquez le chemin du groupe à créer, par exemple « Ventes/Région Sud »."), name)
	case len(rest) > 1:
		return c.usageError(userErrorf("Un seul groupe à la fois : mettez le chemin entre guillemets s'il contient des espaces (« %s » est en trop).", rest[1]), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		if g, err := st.GroupByPath(ctx, rest[0]); err == nil {
			c.say("Le groupe « %s » existe déjà ; rien n'a été modifié.", displayPath(g))
			return exitOK
		} else if core.ErrorCode(err) != core.ENotFound {
			return c.fail(err)
		}
		g, err := st.EnsureGroupPath(ctx, rest[0])
		if err != nil {
			return c.fail(err)
		}
		c.say("Groupe « %s » créé.", displayPath(g))
		return exitOK
	})
}

// groupsList runs "convive groups list".
func (c *cli) groupsList(args []string) int {
	const name = "convive groups list"
	fs := c.flags(name)
	format := fs.String("format", "table", "")
	rest, code, ok := c.parseFlags(fs, args, helpGroupsList)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("« groups list » n'attend pas d'argument (« %s ») ; pour créer un groupe, utilisez « groups add ».", rest[0]), name)
	}
	out, err := newGroupWriter(*format, c.stdout)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		groups, err := st.Groups(ctx)
		if err != nil {
			return c.fail(err)
		}
		for _, g := range groups {
			out.write(g)
		}
		if err := out.close(len(groups)); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// stringList is a repeatable string option (--group A --group B).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ", ") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// accountFlags are the options that describe a new account, shared by users add and
// provision: --first-name, --last-name, --language, --role and the repeatable --group.
type accountFlags struct {
	first, last, language, role *string
	groups                      stringList
}

// newAccountFlags defines the account options on fs.
func newAccountFlags(fs *flag.FlagSet) *accountFlags {
	a := &accountFlags{
		first:    fs.String("first-name", "", ""),
		last:     fs.String("last-name", "", ""),
		language: fs.String("language", "fr", ""),
		role:     fs.String("role", "apprenant", ""),
	}
	fs.Var(&a.groups, "group", "")
	return a
}

// newUser checks the options and returns the active account they describe for login,
// without its groups (groupIDs resolves a.groups). The error is a usage error.
func (a *accountFlags) newUser(login string) (core.NewUser, error) {
	switch {
	case strings.TrimSpace(*a.first) == "":
		return core.NewUser{}, userErrorf("Indiquez le prénom avec --first-name.")
	case strings.TrimSpace(*a.last) == "":
		return core.NewUser{}, userErrorf("Indiquez le nom avec --last-name.")
	}
	lang, ok := parseLanguage(*a.language)
	if !ok {
		return core.NewUser{}, userErrorf("La langue « %s » n'est pas connue : indiquez fr ou en.", *a.language)
	}
	r, ok := parseRole(*a.role)
	if !ok {
		return core.NewUser{}, userErrorf("Le rôle « %s » n'est pas connu : indiquez apprenant, formateur ou administrateur.", *a.role)
	}
	return core.NewUser{Login: login, FirstName: *a.first, LastName: *a.last, Language: lang, Role: r, Status: core.StatusActive}, nil
}

// usersAdd runs "convive users add EMAIL --first-name F --last-name L [--group PATH]...".
// Unknown groups are refused rather than created: a typo would otherwise make a group.
func (c *cli) usersAdd(args []string) int {
	const name = "convive users add"
	fs := c.flags(name)
	acc := newAccountFlags(fs)
	rest, code, ok := c.parseFlags(fs, args, helpUsersAdd)
	switch {
	case !ok:
		return code
	case len(rest) == 0:
		return c.usageError(userErrorf("Indiquez l'adresse e-mail de l'utilisateur, par exemple jean.dupont@example.com."), name)
	case len(rest) > 1:
		return c.usageError(userErrorf("Un seul utilisateur à la fois : « %s » est en trop. Mettez le prénom et le nom après --first-name et --last-name.", rest[1]), name)
	}
	nu, err := acc.newUser(rest[0])
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ids, err := groupIDs(ctx, st, acc.groups)
		if err != nil {
			return c.fail(err)
		}
		nu.GroupIDs = ids
		u, err := st.CreateUser(ctx, nu)
		if err != nil {
			return c.fail(err)
		}
		c.say("Utilisateur « %s » (%s) créé.", u.Login, u.FullName())
		return exitOK
	})
}

// pageSize is how many users are read from the database at a time by users list.
const pageSize = 1000

// usersList runs "convive users list".
func (c *cli) usersList(args []string) int {
	const name = "convive users list"
	fs := c.flags(name)
	group := fs.String("group", "", "")
	search := fs.String("search", "", "")
	format := fs.String("format", "table", "")
	rest, code, ok := c.parseFlags(fs, args, helpUsersList)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("« users list » n'attend pas d'argument (« %s ») ; pour chercher, utilisez --search.", rest[0]), name)
	}
	out, err := newUserWriter(*format, c.stdout)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		filter := core.UserFilter{Search: *search, Limit: pageSize}
		if strings.TrimSpace(*group) != "" {
			g, err := st.GroupByPath(ctx, *group)
			if core.ErrorCode(err) == core.ENotFound {
				return c.fail(userErrorf("Le groupe « %s » n'existe pas. Vérifiez son chemin avec : convive groups list", *group))
			} else if err != nil {
				return c.fail(err)
			}
			if !g.IsRoot() {
				filter.GroupID = g.ID
			}
		}
		n, err := eachPage(filter.Limit, func(offset int) ([]core.User, error) {
			filter.Offset = offset
			return st.Users(ctx, filter)
		}, out.write)
		if err != nil {
			return c.fail(err)
		}
		if err := out.close(n); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// eachPage reads a list limit rows at a time until a page comes back short: read
// returns the page that starts at offset, and each is called on every row. It returns
// how many rows there were.
func eachPage[T any](limit int, read func(offset int) ([]T, error), each func(T)) (int, error) {
	n := 0
	for {
		page, err := read(n)
		if err != nil {
			return n, err
		}
		for _, row := range page {
			each(row)
		}
		n += len(page)
		if len(page) < limit {
			return n, nil
		}
	}
}

// parseLanguage reads --language through core.ParseLanguage; left empty, it means
// French.
func parseLanguage(s string) (core.Language, bool) {
	if strings.TrimSpace(s) == "" {
		return core.LangFR, true
	}
	return core.ParseLanguage(s)
}

// parseRole reads --role through core.ParseRole; left empty, it means learner.
func parseRole(s string) (core.Role, bool) {
	if strings.TrimSpace(s) == "" {
		return core.RoleLearner, true
	}
	return core.ParseRole(s)
}

// displayPath is how a group is named to a person: its path, or "Groupe général".
func displayPath(g core.Group) string {
	if g.IsRoot() || g.Path == "" {
		return core.RootGroupName
	}
	return g.Path
}

// say prints a French sentence on stdout.
func (c *cli) say(format string, args ...any) {
	fmt.Fprintln(c.stdout, french(fmt.Sprintf(format, args...)))
}

// fail reports a failure in French on stderr and returns exitFailure.
func (c *cli) fail(err error) int {
	fmt.Fprintf(c.stderr, "Erreur\u00a0: %s\n", french(message(err)))
	return exitFailure
}

// message is the French sentence for err: core errors and the command's own carry
// theirs; anything else (a system error) gets core's generic sentence.
func message(err error) string {
	var ue userError
	if errors.As(err, &ue) {
		return ue.Error()
	}
	return core.ErrorMessage(err)
}

// userError is a French sentence written by this command for a person.
type userError string

func (e userError) Error() string { return string(e) }

// userErrorf formats a userError.
func userErrorf(format string, args ...any) error {
	return userError(fmt.Sprintf(format, args...))
}

// usageError reports a wrong command line in French, points at the help and returns
// exitUsage.
func (c *cli) usageError(err error, command string) int {
	fmt.Fprintf(c.stderr, "Erreur\u00a0: %s\nPour l'aide\u00a0: %s --help\n", french(flagMessage(err)), command)
	return exitUsage
}

// longFlag writes an option the way the help shows it: the flag package reports
// "-search" for --search.
func longFlag(name string) string {
	if bare := strings.TrimLeft(name, "-"); len(bare) > 1 {
		return "--" + bare
	}
	return name
}

// flagMessage translates the flag package's English errors.
func flagMessage(err error) string {
	s := err.Error()
	if name, ok := strings.CutPrefix(s, "flag provided but not defined: "); ok {
		return fmt.Sprintf("L'option « %s » n'existe pas pour cette commande.", longFlag(name))
	}
	if name, ok := strings.CutPrefix(s, "flag needs an argument: "); ok {
		return fmt.Sprintf("L'option « %s » attend une valeur.", longFlag(name))
	}
	if strings.HasPrefix(s, "invalid value ") || strings.HasPrefix(s, "invalid boolean") {
		if i := strings.Index(s, " for flag "); i >= 0 {
			name, _, _ := strings.Cut(s[i+len(" for flag "):], ":")
			return fmt.Sprintf("La valeur de l'option « %s » n'est pas valide.", name)
		}
	}
	if strings.HasPrefix(s, "bad flag syntax: ") {
		return fmt.Sprintf("Option mal écrite : « %s ».", strings.TrimPrefix(s, "bad flag syntax: "))
	}
	return s
}

// french puts the no-break spaces French typography wants before : ; ! ? and inside
// « », so that the sentences in this file can be written with plain spaces.
func french(s string) string {
	return frenchSpaces.Replace(s)
}

var frenchSpaces = strings.NewReplacer(
	" :", "\u00a0:", " ;", "\u00a0;", " !", "\u00a0!", " ?", "\u00a0?",
	"« ", "«\u00a0", " »", "\u00a0»",
)
