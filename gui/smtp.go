package gui

import (
	"context"
	"errors"
	"log"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"convive/assets"
	"convive/core"
	"convive/core/secret"
	"convive/core/smtp"
)

// Choices of the security and authentication lists, in the order shown.
var (
	securityCodes = []smtp.Security{smtp.SecuritySTARTTLS, smtp.SecurityTLS, smtp.SecurityNone}
	authCodes     = []smtp.AuthMethod{smtp.AuthAuto, smtp.AuthPlain, smtp.AuthLogin, smtp.AuthCRAMMD5, smtp.AuthNone}
)

const securityNoneIndex = 2

// Names of the fields that can carry an error.
const (
	fieldHost     = "host"
	fieldPort     = "port"
	fieldSecurity = "security"
	fieldAuth     = "auth"
	fieldUser     = "user"
	fieldFromName = "from_name"
	fieldFrom     = "from"
	fieldReplyTo  = "reply_to"
	fieldRate     = "rate"
	fieldTestTo   = "test_to"
)

// SMTPForm is the Envoi des e-mails part of Paramètres: the organisation's SMTP server,
// the sender, the rate limit and automatic sending, with Tester la connexion and
// Envoyer un e-mail de test. The password goes to the OS keyring, never to the database;
// where there is no keyring, it is kept in memory for the session.
type SMTPForm struct {
	Host, Port, User, FromName, From, ReplyTo, Rate *Entry
	Password                                        *widget.Entry
	Security, Auth                                  *widget.Select
	AutoSend                                        *widget.Check
	// PasswordNote says where the password is kept.
	PasswordNote *widget.Label
	// Test checks the connection with the values typed; SendTest sends a test e-mail
	// to TestTo. Busy turns while they work; Result says how it went.
	Test, SendTest *widget.Button
	TestTo         *Entry
	Busy           *widget.Activity
	Result         *widget.Label

	errs          map[string]*widget.Label
	stored        core.SMTPSettings // as loaded, for what the form does not show
	prevSecurity  int
	noneConfirmed bool
	loading       bool
	ready         bool // the stored settings were loaded once
	content       fyne.CanvasObject
	mw            *MainWindow
	st            OutboxService
}

func newSMTPForm(mw *MainWindow, st OutboxService) *SMTPForm {
	f := &SMTPForm{mw: mw, st: st, errs: map[string]*widget.Label{}}
	f.Host, f.Port, f.User, f.FromName, f.From, f.ReplyTo, f.Rate = NewEntry(), NewEntry(), NewEntry(), NewEntry(), NewEntry(), NewEntry(), NewEntry()
	f.Host.SetPlaceHolder(lang.X("smtp.host.placeholder", "Par exemple : smtp.exemple.fr"))
	f.Port.SetPlaceHolder("587")
	f.User.SetPlaceHolder(lang.X("smtp.user.placeholder", "Souvent votre adresse e-mail"))
	f.FromName.SetPlaceHolder(lang.X("smtp.from_name.placeholder", "Par exemple : Service formation"))
	f.From.SetPlaceHolder("formation@exemple.fr")
	f.ReplyTo.SetPlaceHolder(lang.X("smtp.reply_to.placeholder", "Facultative"))
	f.Rate.SetPlaceHolder("0")
	f.Password = widget.NewPasswordEntry()

	f.Security = widget.NewSelect([]string{
		lang.X("smtp.security.starttls", "STARTTLS obligatoire"),
		lang.X("smtp.security.tls", "TLS implicite"),
		lang.X("smtp.security.none", "Aucune (serveur local uniquement)"),
	}, nil)
	f.Security.SetSelectedIndex(0)
	f.Security.OnChanged = func(string) { f.onSecurity() }
	f.Auth = widget.NewSelect([]string{
		lang.X("smtp.auth.auto", "Automatique"), "PLAIN", "LOGIN", "CRAM-MD5", lang.X("smtp.auth.none", "Aucune"),
	}, nil)
	f.Auth.SetSelectedIndex(0)
	f.AutoSend = widget.NewCheck(lang.X("smtp.auto", "Envoyer automatiquement ce qui devient prêt, tant que Convive est ouvert"), nil)
	f.AutoSend.SetChecked(true)

	f.PasswordNote = wrapLabel("")
	f.PasswordNote.SizeName = theme.SizeNameCaptionText
	f.TestTo = NewEntry()
	f.TestTo.SetPlaceHolder(lang.X("smtp.test_to.placeholder", "Adresse qui recevra l'e-mail de test"))
	f.Test = &widget.Button{Text: lang.X("smtp.test", "Tester la connexion"), Icon: theme.ConfirmIcon(), OnTapped: f.onTest}
	f.SendTest = &widget.Button{Text: lang.X("smtp.send_test", "Envoyer un e-mail de test"), Icon: theme.MailSendIcon(), OnTapped: f.onSendTest}
	f.Busy = widget.NewActivity()
	f.Busy.Hide()
	f.Result = wrapLabel("")
	f.Result.Hide()

	field := func(name string, input fyne.CanvasObject) fyne.CanvasObject {
		l := wrapLabel("")
		l.Importance = widget.DangerImportance
		l.Hide()
		f.errs[name] = l
		return container.NewVBox(input, l)
	}
	hint := func(text string) *widget.Label {
		l := wrapLabel(text)
		l.SizeName = theme.SizeNameCaptionText
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem(lang.X("smtp.host", "Serveur SMTP"), field(fieldHost, f.Host)),
		widget.NewFormItem(lang.X("smtp.port", "Port"), field(fieldPort, f.Port)),
		widget.NewFormItem(lang.X("smtp.security", "Sécurité"), field(fieldSecurity, container.NewVBox(f.Security,
			hint(lang.X("smtp.security.hint", "STARTTLS (port 587) et TLS implicite (port 465) chiffrent la connexion. « Aucune » n'est permise que pour un serveur installé sur cet ordinateur, car le mot de passe et les e-mails circuleraient en clair."))))),
		widget.NewFormItem(lang.X("smtp.auth", "Authentification"), field(fieldAuth, f.Auth)),
		widget.NewFormItem(lang.X("smtp.user", "Utilisateur"), field(fieldUser, f.User)),
		widget.NewFormItem(lang.X("smtp.password", "Mot de passe"), container.NewVBox(f.Password, f.PasswordNote)),
		widget.NewFormItem(lang.X("smtp.from_name", "Nom de l'expéditeur"), field(fieldFromName, f.FromName)),
		widget.NewFormItem(lang.X("smtp.from", "Adresse de l'expéditeur"), field(fieldFrom, f.From)),
		widget.NewFormItem(lang.X("smtp.reply_to", "Adresse de réponse"), field(fieldReplyTo, f.ReplyTo)),
		widget.NewFormItem(lang.X("smtp.rate", "Messages par minute"), field(fieldRate, container.NewVBox(f.Rate,
			hint(lang.X("smtp.rate.hint", "0 = sans limite. Limitez si votre serveur refuse les envois trop rapides."))))),
		widget.NewFormItem(lang.X("smtp.auto.label", "Envoi automatique"), f.AutoSend),
	)
	testTo := field(fieldTestTo, f.TestTo)
	tests := container.NewVBox(
		container.NewHBox(f.Test, f.Busy),
		container.NewBorder(nil, nil, nil, f.SendTest, testTo),
		f.Result,
	)
	f.content = container.NewVBox(form, tests)
	f.setPasswordNote(false, "")
	return f
}

// onSecurity asks before "Aucune" and adjusts the default port shown.
func (f *SMTPForm) onSecurity() {
	i := f.Security.SelectedIndex()
	if i == securityNoneIndex && !f.loading && !f.noneConfirmed {
		prev := f.prevSecurity
		f.setSecurity(prev)
		d := confirmDialog(f.mw.Window, lang.X("smtp.none.title", "Envoyer sans chiffrement ?"),
			lang.X("smtp.none.question", "Sans chiffrement, le mot de passe et le contenu des e-mails circulent en clair. Convive ne l'accepte que pour un serveur installé sur cet ordinateur (localhost ou 127.0.0.1), par exemple un relais local. Choisir « Aucune » ?"),
			lang.X("smtp.none.confirm", "Choisir « Aucune »"), func() {
				f.noneConfirmed = true
				f.Security.SetSelectedIndex(securityNoneIndex)
			})
		d.Show()
		return
	}
	f.prevSecurity = i
	ports := []string{"587", "465", "25"}
	if i >= 0 && i < len(ports) {
		f.Port.SetPlaceHolder(ports[i])
	}
}

// setSecurity selects choice i without asking.
func (f *SMTPForm) setSecurity(i int) {
	cb := f.Security.OnChanged
	f.Security.OnChanged = nil
	f.Security.SetSelectedIndex(i)
	f.Security.OnChanged = cb
	f.prevSecurity = i
}

// passwordPlace is where the password of the stored settings lives.
type passwordPlace struct {
	noKeyring bool
	source    secret.Source // "" when there is none
}

// loadAsync fills the form with the stored settings.
func (f *SMTPForm) loadAsync() {
	var set core.SMTPSettings
	var place passwordPlace
	runAsync(f.mw.Window, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var err error
		if set, err = f.st.SMTPSettings(ctx); err != nil {
			return err
		}
		place = findPassword(set.User, set.Host)
		return nil
	}, func(err error) {
		if err != nil {
			return
		}
		f.fill(set, place)
	})
}

// findPassword says where the password of user on host is; it may ask the keyring.
func findPassword(user, host string) passwordPlace {
	_, src, err := secret.Password(secret.Account(user, host))
	if err == nil {
		return passwordPlace{source: src, noKeyring: src == secret.FromSession}
	}
	if secret.IsNoKeyring(err) {
		return passwordPlace{noKeyring: true}
	}
	return passwordPlace{}
}

func (f *SMTPForm) fill(set core.SMTPSettings, place passwordPlace) {
	f.loading = true
	defer func() { f.loading = false }()
	f.ready = true
	f.stored = set
	f.Host.SetText(set.Host)
	f.Port.SetText(itoaBlank(set.Port))
	si := 0
	for i, c := range securityCodes {
		if string(c) == set.Security {
			si = i
		}
	}
	f.noneConfirmed = si == securityNoneIndex
	f.Security.SetSelectedIndex(si)
	ai := 0
	for i, c := range authCodes {
		if string(c) == set.Auth {
			ai = i
		}
	}
	f.Auth.SetSelectedIndex(ai)
	f.User.SetText(set.User)
	f.FromName.SetText(set.FromName)
	f.From.SetText(set.From)
	f.ReplyTo.SetText(set.ReplyTo)
	f.Rate.SetText(itoaBlank(set.RateLimit))
	f.AutoSend.SetChecked(set.AutoSend)
	f.Password.SetText("")
	f.setPasswordNote(place.noKeyring, place.source)
	f.clearErrors()
}

func itoaBlank(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func (f *SMTPForm) setPasswordNote(noKeyring bool, src secret.Source) {
	switch src {
	case secret.FromEnv:
		f.Password.SetPlaceHolder(lang.X("smtp.password.env", "Donné par la variable CONVIVE_SMTP_PASSWORD"))
	case secret.FromKeyring:
		f.Password.SetPlaceHolder(lang.X("smtp.password.keyring", "Enregistré ; laissez vide pour le garder"))
	case secret.FromSession:
		f.Password.SetPlaceHolder(lang.X("smtp.password.session", "Gardé en mémoire pour cette session"))
	default:
		f.Password.SetPlaceHolder("")
	}
	if noKeyring {
		f.PasswordNote.SetText(lang.X("smtp.password.note.memory", "Cet ordinateur n'a pas de trousseau de mots de passe : le mot de passe est gardé en mémoire jusqu'à la fermeture de Convive, puis redemandé à la session suivante. Il n'est jamais écrit sur le disque."))
		return
	}
	f.PasswordNote.SetText(lang.X("smtp.password.note.keyring", "Le mot de passe est enregistré dans le trousseau de votre système, jamais dans la base de données de Convive."))
}

func (f *SMTPForm) clearErrors() {
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
}

func (f *SMTPForm) fieldError(name, text string) {
	if l := f.errs[name]; l != nil {
		l.SetText(text)
		l.Show()
	}
}

// fieldOf maps the key of a validation error to the field it is about.
func fieldOf(key string) string {
	switch strings.TrimPrefix(key, "smtp.config.") {
	case "host_empty", "host":
		return fieldHost
	case "port":
		return fieldPort
	case "none_remote", "security":
		return fieldSecurity
	case "user_empty", "user":
		return fieldUser
	case "auth":
		return fieldAuth
	case "from_empty", "from":
		return fieldFrom
	case "reply_to":
		return fieldReplyTo
	case "from_name":
		return fieldFromName
	case "rate":
		return fieldRate
	}
	return ""
}

// smtpChange is a checked form, ready to be saved off Fyne's goroutine.
type smtpChange struct {
	settings core.SMTPSettings
	password string // typed; "" keeps the one stored
	previous core.SMTPSettings
}

// collect reads and checks the form on Fyne's goroutine. Errors are written beside
// their fields; ok is false when there is one.
func (f *SMTPForm) collect() (smtpChange, bool) {
	f.clearErrors()
	ok := true
	number := func(e *Entry, name, msg string) int {
		v := strings.TrimSpace(e.Text)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			f.fieldError(name, msg)
			ok = false
		}
		return n
	}
	port := number(f.Port, fieldPort, lang.X("smtp.port.invalid", "Indiquez le port en chiffres, par exemple 587, ou laissez vide pour le port habituel."))
	rate := number(f.Rate, fieldRate, lang.X("smtp.rate.invalid", "Indiquez un nombre d'e-mails par minute en chiffres, ou 0 pour sans limite."))
	set := core.SMTPSettings{
		Host:        strings.TrimSpace(f.Host.Text),
		Port:        port,
		Security:    string(securityCodes[max(f.Security.SelectedIndex(), 0)]),
		Auth:        string(authCodes[max(f.Auth.SelectedIndex(), 0)]),
		User:        strings.TrimSpace(f.User.Text),
		From:        strings.TrimSpace(f.From.Text),
		FromName:    strings.TrimSpace(f.FromName.Text),
		ReplyTo:     strings.TrimSpace(f.ReplyTo.Text),
		RateLimit:   rate,
		MaxAttempts: f.stored.MaxAttempts,
		AutoSend:    f.AutoSend.Checked,
	}
	c := smtpChange{settings: set, password: f.Password.Text, previous: f.stored}
	if !ok {
		return c, false
	}
	if set.Host == "" && set.User == "" && set.From == "" && set.FromName == "" && set.ReplyTo == "" {
		// Nothing typed: no server, the mail waits in the outbox.
		return c, true
	}
	if err := smtp.ConfigFromSettings(set, c.password).Validate(); err != nil {
		var e *core.Error
		name := ""
		if errors.As(err, &e) {
			name = fieldOf(e.Key)
		}
		if name == "" {
			f.showResult(errorText(err), false)
		} else {
			f.fieldError(name, errorText(err))
		}
		return c, false
	}
	return c, true
}

// apply saves the change: the password to the keyring (or the session's memory when
// there is none), then the settings. It runs off Fyne's goroutine and returns where
// the password now lives.
func (c smtpChange) apply(ctx context.Context, st OutboxService) (passwordPlace, error) {
	set, old := c.settings, c.previous
	account := secret.Account(set.User, set.Host)
	oldAccount := secret.Account(old.User, old.Host)
	pw := c.password
	moved := false
	if pw == "" && set.User != "" && old.User != "" && account != oldAccount {
		// The server or the user changed: the password follows them.
		if p, src, err := secret.Password(oldAccount); err == nil && src != secret.FromEnv {
			pw, moved = p, true
		}
	}
	if pw != "" && set.User != "" {
		if err := secret.Store(account, pw); err != nil {
			if !secret.IsNoKeyring(err) {
				return passwordPlace{}, err
			}
			secret.Remember(account, pw)
		}
		if moved {
			_ = secret.Delete(oldAccount)
			secret.Forget(oldAccount)
		}
	}
	if err := st.SetSMTPSettings(ctx, set); err != nil {
		return passwordPlace{}, err
	}
	return findPassword(set.User, set.Host), nil
}

// saved shows the settings as saved.
func (f *SMTPForm) saved(c smtpChange, place passwordPlace) {
	f.stored = c.settings
	f.Password.SetText("")
	f.setPasswordNote(place.noKeyring, place.source)
}

// config returns the settings typed in the form, with the password typed or stored;
// it runs off Fyne's goroutine.
func (c smtpChange) config() smtp.Config {
	cfg := smtp.ConfigFromSettings(c.settings, c.password)
	if cfg.Password == "" && cfg.User != "" {
		if pw, _, err := secret.Password(secret.Account(cfg.User, cfg.Host)); err == nil {
			cfg.Password = pw
		}
	}
	return cfg
}

func (f *SMTPForm) showResult(text string, good bool) {
	f.Result.Importance = widget.DangerImportance
	if good {
		f.Result.Importance = widget.SuccessImportance
	}
	f.Result.SetText(text)
	f.Result.Show()
}

func (f *SMTPForm) busy(on bool) {
	if on {
		f.Test.Disable()
		f.SendTest.Disable()
		f.Busy.Show()
		f.Busy.Start()
		return
	}
	f.Test.Enable()
	f.SendTest.Enable()
	f.Busy.Stop()
	f.Busy.Hide()
}

// onTest connects with the values typed and says how it went; nothing is sent.
func (f *SMTPForm) onTest() {
	c, ok := f.collect()
	if !ok {
		return
	}
	if c.settings.Host == "" {
		f.fieldError(fieldHost, lang.X("smtp.host.missing", "Indiquez d'abord le serveur SMTP de votre organisation."))
		return
	}
	f.busy(true)
	f.showResult(lang.X("smtp.test.running", "Connexion au serveur…"), true)
	f.Result.Importance = widget.MediumImportance
	f.Result.Refresh()
	var cfg smtp.Config
	go func() {
		cfg = c.config()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		err := smtp.Test(ctx, cfg)
		if err != nil {
			log.Printf("convive: SMTP connection test: %v", err)
		}
		doUI(func() {
			f.busy(false)
			if err != nil {
				f.showResult(errorText(err), false)
				return
			}
			n := cfg.Normalized()
			f.showResult(lang.X("smtp.test.ok", "Connexion réussie à {{.Server}} (sécurité {{.Security}}) : les réglages fonctionnent. Rien n'a été envoyé.",
				map[string]any{"Server": n.Addr(), "Security": n.Security.Label()}), true)
		})
	}()
}

// onSendTest sends a test e-mail directly, without the outbox, to the address typed.
func (f *SMTPForm) onSendTest() {
	c, ok := f.collect()
	to := strings.TrimSpace(f.TestTo.Text)
	if to == "" {
		f.fieldError(fieldTestTo, lang.X("smtp.test_to.empty", "Indiquez l'adresse qui recevra l'e-mail de test."))
		return
	}
	if _, err := core.ParseAddress(to); err != nil {
		f.fieldError(fieldTestTo, errorText(err))
		return
	}
	if !ok {
		return
	}
	if c.settings.Host == "" {
		f.fieldError(fieldHost, lang.X("smtp.host.missing", "Indiquez d'abord le serveur SMTP de votre organisation."))
		return
	}
	f.busy(true)
	f.showResult(lang.X("smtp.send_test.running", "Envoi de l'e-mail de test…"), true)
	f.Result.Importance = widget.MediumImportance
	f.Result.Refresh()
	go func() {
		cfg := c.config()
		var res smtp.Result
		s, err := smtp.NewSender(cfg)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			res = s.Send(ctx, f.testMessage(ctx, cfg, to))
			cancel()
			_ = s.Close()
			if res.Raw != nil {
				log.Printf("convive: SMTP test e-mail: %v", res.Raw)
			}
		}
		doUI(func() {
			f.busy(false)
			switch {
			case err != nil:
				f.showResult(errorText(err), false)
			case res.Outcome != smtp.Sent:
				f.showResult(lang.X("smtp.send_test.failed", "L'e-mail de test n'est pas parti : {{.Reason}}", map[string]any{"Reason": res.Detail}), false)
			default:
				f.showResult(lang.X("smtp.send_test.ok", "E-mail de test envoyé à {{.To}}, sans passer par la boîte d'envoi. Vérifiez qu'il est bien arrivé, au besoin dans les indésirables.", map[string]any{"To": to}), true)
			}
		})
	}()
}

// testMessage is the Test template, as the manager may have edited it, in the window's
// language, followed by the settings in use; without templates, a built-in text.
func (f *SMTPForm) testMessage(ctx context.Context, cfg smtp.Config, to string) *core.Message {
	if src, ok := f.st.(core.MailSource); ok {
		l := core.LangFR
		if current == LanguageEnglish {
			l = core.LangEN
		}
		if m, err := core.TestMail(ctx, src, assets.DefaultMailTemplate, to, l); err == nil {
			return smtp.TemplateTestMessage(cfg, m)
		} else {
			log.Printf("convive: test e-mail template: %v", err)
		}
	}
	return smtp.TestMessage(cfg, to)
}

// passwordDialog asks for the SMTP password of the stored settings, files it in the
// keyring (or in memory for the session when there is none), then runs done.
func passwordDialog(mw *MainWindow, done func()) {
	if mw.obs == nil {
		return
	}
	pw := widget.NewPasswordEntry()
	item := widget.NewFormItem(lang.X("smtp.password", "Mot de passe"), pw)
	item.HintText = lang.X("smtp.password.ask.hint", "Gardé pour cette session s'il n'y a pas de trousseau.")
	d := dialog.NewForm(lang.X("smtp.password.ask.title", "Mot de passe du serveur d'envoi"), lang.X("smtp.password.ask.ok", "Envoyer"),
		lang.X("dialog.cancel", "Annuler"), []*widget.FormItem{item}, func(ok bool) {
			if !ok || pw.Text == "" {
				return
			}
			text := pw.Text
			runAsync(mw.Window, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				set, err := mw.obs.SMTPSettings(ctx)
				if err != nil {
					return err
				}
				account := secret.Account(set.User, set.Host)
				if err := secret.Store(account, text); err != nil {
					secret.Remember(account, text)
				}
				return nil
			}, func(err error) {
				if err == nil {
					mw.outbox.settingsChanged()
					done()
				}
			})
		}, mw.Window)
	pw.OnSubmitted = func(string) { d.Submit() }
	withKeys(mw.Window, d, d.Submit)
	d.Resize(fyne.NewSize(460, d.MinSize().Height))
	mw.PasswordEntry = pw
	d.Show()
	mw.Window.Canvas().Focus(pw)
}
