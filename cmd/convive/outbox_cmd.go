package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"convive/assets"
	"convive/core"
	"convive/core/secret"
	"convive/core/smtp"
	"convive/core/sqlite"
)

// The help texts of the outbox commands.
const (
	helpSMTP = `Règle l'envoi des e-mails par le serveur SMTP de votre organisation.

Utilisation :
  convive [--db FICHIER] smtp set --host SERVEUR --port PORT --security starttls|tls|none
          --from ADRESSE [--from-name NOM] [--reply-to ADRESSE] [--user UTILISATEUR]
          [--password-stdin] [--auth auto|plain|login|cram-md5|none] [--rate N]
          [--max-attempts N] [--auto on|off]
  convive [--db FICHIER] smtp show
  convive [--db FICHIER] smtp test [--to ADRESSE]

Aide de chaque action : convive smtp set --help, convive smtp test --help
`

	helpSMTPSet = `Enregistre les réglages du serveur SMTP. Les options absentes gardent leur valeur
précédente. Le mot de passe n'est jamais écrit dans la base de données : il va dans
le trousseau de mots de passe du système.

Utilisation :
  convive [--db FICHIER] smtp set --host SERVEUR --port PORT --security MODE --from ADRESSE [OPTIONS]

Options :
  --host SERVEUR        nom du serveur SMTP, par exemple smtp.exemple.fr
  --port PORT           port : souvent 587 (STARTTLS) ou 465 (TLS)
  --security MODE       starttls : chiffrement exigé après connexion (par défaut)
                        tls : chiffré dès la connexion
                        none : sans chiffrement, permis seulement pour un serveur
                        installé sur cet ordinateur (localhost)
  --from ADRESSE        adresse d'expéditeur des e-mails
  --from-name NOM       nom d'expéditeur affiché, par exemple « Service formation »
  --reply-to ADRESSE    adresse de réponse, si elle diffère de l'expéditeur
  --user UTILISATEUR    utilisateur du compte SMTP
  --password-stdin      lit le mot de passe sur l'entrée standard (une ligne) et le
                        range dans le trousseau du système. Sans trousseau (serveur
                        sans session graphique), utilisez plutôt la variable
                        d'environnement CONVIVE_SMTP_PASSWORD.
  --auth MÉTHODE        auto (par défaut), plain, login, cram-md5 ou none
  --rate N              au plus N e-mails par minute (0 : sans limite)
  --max-attempts N      essais avant d'abandonner un message après des erreurs
                        temporaires (8 par défaut)
  --auto on|off         envoi automatique de ce qui arrive à échéance tant que la
                        fenêtre de Convive est ouverte (on par défaut)
  --db FICHIER          base de données à utiliser (voir convive --help)

Exemples :
  convive smtp set --host smtp.exemple.fr --port 587 --security starttls \
      --from formation@exemple.fr --from-name "Service formation" --user formation
  printf '%s\n' "$MOT_DE_PASSE" | convive smtp set --user formation --password-stdin
`

	helpSMTPShow = `Affiche les réglages du serveur SMTP et l'endroit où se trouve le mot de passe
(jamais le mot de passe lui-même).

Utilisation :
  convive [--db FICHIER] smtp show
`

	helpSMTPTest = `Teste la connexion au serveur SMTP (chiffrement, authentification) sans rien
envoyer. Avec --to, envoie en plus tout de suite un e-mail de test à l'adresse
donnée, directement, sans passer par la boîte d'envoi : le modèle « Message
d'essai » (tel que vous l'avez peut-être modifié dans la fenêtre), suivi des
réglages utilisés.

Utilisation :
  convive [--db FICHIER] smtp test [--to ADRESSE]

Options :
  --to ADRESSE   destinataire de l'e-mail de test
  --db FICHIER   base de données à utiliser (voir convive --help)

Le mot de passe vient de la variable CONVIVE_SMTP_PASSWORD si elle est définie,
sinon du trousseau du système.
`

	helpOutbox = `Liste les e-mails de la boîte d'envoi et agit sur eux.

Utilisation :
  convive [--db FICHIER] outbox [--state ÉTAT] [--search TEXTE] [--format table|csv|json]
  convive [--db FICHIER] outbox resend N°... | --unknown
  convive [--db FICHIER] outbox mark-sent N°...
  convive [--db FICHIER] outbox cancel N°...
  convive [--db FICHIER] outbox recipient N° ADRESSE

Actions :
  resend N°...      remet en attente des messages en échec ou à vérifier (même
                    Message-ID) ; --unknown : tous les messages à vérifier
  mark-sent N°...   marque comme envoyés des messages à vérifier, que le destinataire
                    a bien reçus : ils ne partiront plus
  cancel N°...      annule des messages en attente : ils ne partiront pas
  recipient N° ADRESSE
                    corrige le destinataire d'un message en attente

Options de la liste :
  --state ÉTAT      seulement les messages dans cet état (plusieurs séparés par des
                    virgules) : queued (en attente), sending (en cours d'envoi),
                    sent (envoyé), failed (en échec), unknown (à vérifier),
                    cancelled (annulé)
  --search TEXTE    seulement les messages dont le destinataire ou l'objet contient
                    TEXTE, sans tenir compte des majuscules ni des accents
  --format FORMAT   table (par défaut), csv ou json. Les colonnes csv et json sont :
                    id, kind, to, subject, state, due, attempts, next_attempt,
                    last_error, message_id, created, sent (dates au format RFC 3339).
  --db FICHIER      base de données à utiliser (voir convive --help)

Un message « à vérifier » a peut-être été reçu : l'envoi a été interrompu après la
transmission du message. Vérifiez auprès du destinataire, puis choisissez resend ou
mark-sent.

Exemples :
  convive outbox --state failed,unknown
  convive outbox resend 12 15
  convive outbox --format json > boite-d-envoi.json
`

	helpSend = `Envoie les e-mails de la boîte d'envoi qui sont arrivés à échéance, par le serveur
SMTP réglé avec convive smtp set, sur une seule connexion. Chaque message est noté
« en cours d'envoi » avant de partir et son résultat juste après : un arrêt brutal ne
fait ni perdre ni envoyer deux fois un message. Les messages laissés « en cours
d'envoi » par un arrêt brutal précédent deviennent d'abord « à vérifier ».

Utilisation :
  convive [--db FICHIER] send [--max N] [--wait] [--json]

Options :
  --max N        envoie au plus N messages
  --wait         continue jusqu'à ce que plus rien ne soit à envoyer, en attendant
                 l'heure des nouveaux essais après les erreurs temporaires
  --json         écrit le bilan en JSON : {"sent":N,"failed":N,"retry_later":N,
                 "unknown":N,"remaining":N}, et "busy" quand un autre programme
                 envoyait
  --db FICHIER   base de données à utiliser (voir convive --help)

Le mot de passe vient de la variable CONVIVE_SMTP_PASSWORD si elle est définie
(envois programmés), sinon du trousseau du système. Ctrl+C arrête l'envoi après le
message en cours. Si le serveur refuse l'identification ou les réglages, l'envoi
s'arrête sans user les essais des messages, et le code de retour est 1.

Un seul programme Convive envoie à la fois depuis une même base : si la fenêtre (ou
un autre convive send) est en train d'envoyer, la commande n'envoie rien, le dit et
rend 0 ; les messages partiront de l'autre programme.
`
)

// outboxHelp returns the help of "convive help ARGS" for the outbox commands.
func outboxHelp(args []string) (string, bool) {
	switch strings.Join(args, " ") {
	case "smtp":
		return helpSMTP, true
	case "smtp set":
		return helpSMTPSet, true
	case "smtp show":
		return helpSMTPShow, true
	case "smtp test":
		return helpSMTPTest, true
	case "outbox", "outbox resend", "outbox mark-sent", "outbox cancel", "outbox recipient":
		return helpOutbox, true
	case "send":
		return helpSend, true
	}
	return "", false
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "--help", "-help", "help":
		return true
	}
	return false
}

// smtpCmd runs "convive smtp ACTION".
func (c *cli) smtpCmd(args []string) int {
	if len(args) == 0 {
		return c.usageError(userErrorf("Indiquez une action : set, show ou test."), "convive smtp")
	}
	switch args[0] {
	case "set":
		return c.smtpSet(args[1:])
	case "show":
		return c.smtpShow(args[1:])
	case "test":
		return c.smtpTest(args[1:])
	}
	if isHelp(args[0]) {
		return c.help(helpSMTP)
	}
	return c.usageError(userErrorf("L'action « %s » n'existe pas pour smtp : utilisez set, show ou test.", args[0]), "convive smtp")
}

// smtpSet runs "convive smtp set".
func (c *cli) smtpSet(args []string) int {
	const name = "convive smtp set"
	fs := c.flags(name)
	host := fs.String("host", "", "")
	port := fs.Int("port", 0, "")
	security := fs.String("security", "", "")
	auth := fs.String("auth", "", "")
	user := fs.String("user", "", "")
	from := fs.String("from", "", "")
	fromName := fs.String("from-name", "", "")
	replyTo := fs.String("reply-to", "", "")
	rate := fs.Int("rate", 0, "")
	maxAttempts := fs.Int("max-attempts", 0, "")
	auto := fs.String("auto", "", "")
	pwStdin := fs.Bool("password-stdin", false, "")
	if code, ok := c.noArgs(fs, args, helpSMTPSet); !ok {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["rate"] && *rate < 0:
		return c.usageError(userErrorf("--rate attend un nombre d'e-mails par minute positif, ou 0 pour aucune limite."), name)
	case set["max-attempts"] && (*maxAttempts < 1 || *maxAttempts > 100):
		return c.usageError(userErrorf("--max-attempts attend un nombre d'essais entre 1 et 100."), name)
	case set["auto"] && *auto != "on" && *auto != "off":
		return c.usageError(userErrorf("--auto attend on ou off (et non « %s »).", *auto), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		cfg, err := st.SMTPSettings(ctx)
		if err != nil {
			return c.fail(err)
		}
		old := cfg
		apply := func(flagName string, dst *string, v string) {
			if set[flagName] {
				*dst = strings.TrimSpace(v)
			}
		}
		apply("host", &cfg.Host, *host)
		apply("security", &cfg.Security, strings.ToLower(*security))
		apply("auth", &cfg.Auth, strings.ToLower(*auth))
		apply("user", &cfg.User, *user)
		apply("from", &cfg.From, *from)
		apply("from-name", &cfg.FromName, *fromName)
		apply("reply-to", &cfg.ReplyTo, *replyTo)
		if set["port"] {
			cfg.Port = *port
		}
		if set["rate"] {
			cfg.RateLimit = *rate
		}
		if set["max-attempts"] {
			cfg.MaxAttempts = *maxAttempts
		}
		if set["auto"] {
			cfg.AutoSend = *auto == "on"
		}
		if err := smtp.ConfigFromSettings(cfg, "").Validate(); err != nil {
			return c.fail(userErrorf("%s Rien n'a été enregistré.", message(err)))
		}
		if *pwStdin {
			if cfg.User == "" {
				return c.usageError(userErrorf("Un mot de passe sans utilisateur ne sert à rien : indiquez l'utilisateur avec --user."), name)
			}
			pw, err := readPassword(c.stdin)
			if err != nil {
				return c.fail(err)
			}
			if err := secret.Store(secret.Account(cfg.User, cfg.Host), pw); err != nil {
				if secret.IsNoKeyring(err) {
					return c.fail(userErrorf("Aucun trousseau de mots de passe n'est disponible sur cet ordinateur : le mot de passe ne peut pas être enregistré, et rien n'a été modifié. Relancez sans --password-stdin, puis donnez le mot de passe à chaque envoi dans la variable d'environnement %s.", secret.EnvPassword))
				}
				return c.fail(err)
			}
		}
		if err := st.SetSMTPSettings(ctx, cfg); err != nil {
			return c.fail(err)
		}
		// The keyring files the password under the user and the server: it follows them.
		if from, to := secret.Account(old.User, old.Host), secret.Account(cfg.User, cfg.Host); !*pwStdin && old.User != "" && cfg.User != "" && from != to {
			if pw, err := secret.Load(from); err == nil {
				if err := secret.Store(to, pw); err == nil {
					_ = secret.Delete(from)
				}
			}
		}
		c.say("Réglages SMTP enregistrés : %s.", describeServer(cfg))
		if *pwStdin {
			c.say("Mot de passe rangé dans le trousseau du système.")
		}
		return exitOK
	})
}

// readPassword reads one line from r, without its line end.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", userErrorf("Le mot de passe n'a pas pu être lu sur l'entrée standard (%v).", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", userErrorf("--password-stdin : l'entrée standard est vide. Envoyez le mot de passe sur une ligne, par exemple : printf '%%s\\n' \"$MOT_DE_PASSE\" | convive smtp set --password-stdin")
	}
	return pw, nil
}

// describeServer names the server in one line.
func describeServer(s core.SMTPSettings) string {
	cfg := smtp.ConfigFromSettings(s, "").Normalized()
	return fmt.Sprintf("%s, sécurité %s, expéditeur %s", cfg.Addr(), cfg.Security.Label(), cfg.From)
}

// smtpShow runs "convive smtp show".
func (c *cli) smtpShow(args []string) int {
	const name = "convive smtp show"
	if code, ok := c.noArgs(c.flags(name), args, helpSMTPShow); !ok {
		return code
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		s, err := st.SMTPSettings(ctx)
		if err != nil {
			return c.fail(err)
		}
		if !s.Configured() {
			c.say("Aucun serveur SMTP n'est réglé : les e-mails attendent dans la boîte d'envoi. Réglez-le avec : convive smtp set --help")
			return exitOK
		}
		cfg := smtp.ConfigFromSettings(s, "").Normalized()
		orNone := func(v, none string) string {
			if v == "" {
				return none
			}
			return v
		}
		rate := "sans limite"
		if cfg.RateLimit > 0 {
			rate = fmt.Sprintf("%d e-mails par minute", cfg.RateLimit)
		}
		attempts := s.MaxAttempts
		if attempts == 0 {
			attempts = core.DefaultMaxAttempts
		}
		auto := "oui"
		if !s.AutoSend {
			auto = "non"
		}
		tw := []([2]string){
			{"Serveur", cfg.Addr()},
			{"Sécurité", cfg.Security.Label()},
			{"Authentification", cfg.Auth.Label()},
			{"Utilisateur", orNone(cfg.User, "(aucun)")},
			{"Mot de passe", passwordPlace(cfg)},
			{"Expéditeur", cfg.From},
			{"Nom d'expéditeur", orNone(cfg.FromName, "(aucun)")},
			{"Adresse de réponse", orNone(cfg.ReplyTo, "(aucune)")},
			{"Limite d'envoi", rate},
			{"Essais au plus", strconv.Itoa(attempts)},
			{"Envoi automatique", auto},
		}
		for _, kv := range tw {
			c.say("%-20s : %s", kv[0], kv[1])
		}
		return exitOK
	})
}

// passwordPlace says where the password would come from, never what it is.
func passwordPlace(cfg smtp.Config) string {
	if cfg.User == "" {
		return "(aucun utilisateur)"
	}
	_, src, err := secret.Password(secret.Account(cfg.User, cfg.Host))
	switch {
	case err == nil && src == secret.FromEnv:
		return "variable d'environnement " + secret.EnvPassword
	case err == nil:
		return "dans le trousseau du système"
	case secret.IsNoKeyring(err):
		return "aucun trousseau sur cet ordinateur : utilisez " + secret.EnvPassword
	}
	return "non enregistré"
}

// smtpConfig returns the stored settings with the password, ready to connect.
func smtpConfig(ctx context.Context, st *sqlite.Store) (core.SMTPSettings, smtp.Config, error) {
	s, err := st.SMTPSettings(ctx)
	if err != nil {
		return s, smtp.Config{}, err
	}
	if !s.Configured() {
		return s, smtp.Config{}, userErrorf("Aucun serveur SMTP n'est réglé : les e-mails restent dans la boîte d'envoi. Réglez-le d'abord avec : convive smtp set --host SERVEUR --port PORT --security starttls --from ADRESSE")
	}
	cfg := smtp.ConfigFromSettings(s, "")
	if cfg.User != "" && cfg.Auth != smtp.AuthNone {
		pw, _, err := secret.Password(secret.Account(cfg.User, cfg.Host))
		switch {
		case secret.IsNoKeyring(err):
			return s, cfg, userErrorf("Le mot de passe SMTP de « %s » n'est pas disponible : cet ordinateur n'a pas de trousseau de mots de passe. Donnez-le dans la variable d'environnement %s.", cfg.User, secret.EnvPassword)
		case err != nil:
			return s, cfg, userErrorf("Aucun mot de passe SMTP n'est enregistré pour « %s » : enregistrez-le avec convive smtp set --password-stdin, ou donnez-le dans la variable d'environnement %s.", cfg.User, secret.EnvPassword)
		}
		cfg.Password = pw
	}
	return s, cfg, cfg.Validate()
}

// smtpTest runs "convive smtp test [--to ADDR]".
func (c *cli) smtpTest(args []string) int {
	const name = "convive smtp test"
	fs := c.flags(name)
	to := fs.String("to", "", "")
	if code, ok := c.noArgs(fs, args, helpSMTPTest); !ok {
		return code
	}
	if *to != "" {
		if _, err := core.ParseAddress(*to); err != nil {
			return c.usageError(err, name)
		}
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		_, cfg, err := smtpConfig(ctx, st)
		if err != nil {
			return c.fail(err)
		}
		if *to == "" {
			if err := smtp.Test(ctx, cfg); err != nil {
				return c.fail(err)
			}
			c.say("Connexion réussie au serveur %s (sécurité %s) ; rien n'a été envoyé.", cfg.Normalized().Addr(), cfg.Normalized().Security.Label())
			return exitOK
		}
		s, err := smtp.NewSender(cfg)
		if err != nil {
			return c.fail(err)
		}
		defer s.Close()
		msg := smtp.TestMessage(cfg, *to)
		if m, err := core.TestMail(ctx, st, assets.DefaultMailTemplate, *to, core.LangFR); err == nil {
			msg = smtp.TemplateTestMessage(cfg, m) // the Test template, as the manager may have edited it
		}
		r := s.Send(ctx, msg)
		if r.Outcome != smtp.Sent {
			return c.fail(userErrorf("L'e-mail de test n'est pas parti : %s", r.Detail))
		}
		c.say("E-mail de test envoyé directement à %s, sans passer par la boîte d'envoi (Message-ID %s).", *to, r.MessageID)
		return exitOK
	})
}

// stateNames maps what may follow --state to the stored states.
var stateNames = map[string]core.MessageState{
	"queued": core.MessageQueued, "en attente": core.MessageQueued, "attente": core.MessageQueued,
	"sending": core.MessageSending, "en cours d'envoi": core.MessageSending, "en cours": core.MessageSending,
	"sent": core.MessageSent, "envoye": core.MessageSent,
	"failed": core.MessageFailed, "en echec": core.MessageFailed, "echec": core.MessageFailed,
	"unknown": core.MessageUnknown, "a verifier": core.MessageUnknown,
	"cancelled": core.MessageCancelled, "canceled": core.MessageCancelled, "annule": core.MessageCancelled,
}

// stateLabel is the French name of a state shown in the table.
func stateLabel(st core.MessageState) string {
	switch st {
	case core.MessageQueued:
		return "En attente"
	case core.MessageSending:
		return "En cours d'envoi"
	case core.MessageSent:
		return "Envoyé"
	case core.MessageFailed:
		return "En échec"
	case core.MessageUnknown:
		return "À vérifier"
	case core.MessageCancelled:
		return "Annulé"
	}
	return string(st)
}

// outbox runs "convive outbox [ACTION]".
func (c *cli) outbox(args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "resend":
			return c.outboxResend(args[1:])
		case "mark-sent":
			return c.outboxChange(args[1:], "mark-sent")
		case "cancel":
			return c.outboxChange(args[1:], "cancel")
		case "recipient":
			return c.outboxRecipient(args[1:])
		case "list", "ls":
			args = args[1:]
		}
	}
	return c.outboxList(args)
}

// outboxPage is how many messages are read at a time by outbox.
const outboxPage = 500

// outboxList runs "convive outbox [--state S] [--search T] [--format F]".
func (c *cli) outboxList(args []string) int {
	const name = "convive outbox"
	fs := c.flags(name)
	state := fs.String("state", "", "")
	search := fs.String("search", "", "")
	format := fs.String("format", "table", "")
	rest, code, ok := c.parseFlags(fs, args, helpOutbox)
	switch {
	case !ok:
		return code
	case len(rest) > 0:
		return c.usageError(userErrorf("L'action « %s » n'existe pas pour la boîte d'envoi : utilisez resend, mark-sent, cancel ou recipient, ou rien pour la liste.", rest[0]), name)
	}
	filter := core.OutboxFilter{Search: *search, Limit: outboxPage}
	for _, s := range strings.Split(*state, ",") {
		s = core.Fold(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		st, ok := stateNames[s]
		if !ok {
			return c.usageError(userErrorf("L'état « %s » n'existe pas : indiquez queued, sending, sent, failed, unknown ou cancelled.", s), name)
		}
		filter.States = append(filter.States, st)
	}
	rw, err := newRowWriter(*format, c.stdout,
		[]string{"id", "kind", "to", "subject", "state", "due", "attempts", "next_attempt", "last_error", "message_id", "created", "sent"},
		[]string{"N°", "Destinataire", "Objet", "État", "Prévu le", "Essais", "Dernière erreur"})
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		n, err := eachPage(filter.Limit, func(offset int) ([]core.Message, error) {
			filter.Offset = offset
			return st.Outbox(ctx, filter)
		}, func(m core.Message) {
			rw.row(
				[]string{strconv.FormatInt(m.ID, 10), m.To, m.Subject, stateLabel(m.State), frenchDate(m.Due), strconv.Itoa(m.Attempts), m.LastError},
				[]any{m.ID, string(m.Kind), m.To, m.Subject, string(m.State), isoDate(m.Due), m.Attempts, isoDate(m.NextAttempt), m.LastError, m.MessageID, isoDate(m.Created), isoDate(m.Sent)},
			)
		})
		if err != nil {
			return c.fail(err)
		}
		if err := rw.close(plural(n, "Aucun message.", "1 message.", "%s messages.")); err != nil {
			return c.fail(err)
		}
		return exitOK
	})
}

// parseIDs reads message numbers.
func parseIDs(args []string) ([]int64, error) {
	var ids []int64
	for _, a := range args {
		for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
			id, err := strconv.ParseInt(strings.TrimPrefix(f, "#"), 10, 64)
			if err != nil || id <= 0 {
				return nil, userErrorf("« %s » n'est pas un numéro de message : indiquez les numéros de la colonne N° de convive outbox.", f)
			}
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// outboxResend runs "convive outbox resend ID...|--unknown".
func (c *cli) outboxResend(args []string) int {
	const name = "convive outbox resend"
	fs := c.flags(name)
	unknown := fs.Bool("unknown", false, "")
	rest, code, ok := c.parseFlags(fs, args, helpOutbox)
	switch {
	case !ok:
		return code
	case *unknown && len(rest) > 0:
		return c.usageError(userErrorf("Indiquez des numéros de messages ou --unknown, pas les deux."), name)
	case !*unknown && len(rest) == 0:
		return c.usageError(userErrorf("Indiquez les numéros des messages à renvoyer, ou --unknown pour tous les messages à vérifier."), name)
	}
	ids, err := parseIDs(rest)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		var (
			n   int
			err error
		)
		if *unknown {
			n, err = st.ResendUnknown(ctx)
		} else {
			n, err = st.ResendMessages(ctx, ids)
		}
		if err != nil {
			return c.fail(err)
		}
		c.say("%s ; ils partiront au prochain envoi (convive send), avec le même Message-ID.",
			plural(n, "Aucun message remis en attente", "1 message remis en attente", "%s messages remis en attente"))
		return exitOK
	})
}

// outboxChange runs "convive outbox mark-sent|cancel ID...".
func (c *cli) outboxChange(args []string, action string) int {
	name := "convive outbox " + action
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpOutbox)
	switch {
	case !ok:
		return code
	case len(rest) == 0:
		return c.usageError(userErrorf("Indiquez les numéros des messages (colonne N° de convive outbox)."), name)
	}
	ids, err := parseIDs(rest)
	if err != nil {
		return c.usageError(err, name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		if action == "cancel" {
			n, err := st.CancelMessages(ctx, ids)
			if err != nil {
				return c.fail(err)
			}
			c.say("%s : ils ne partiront pas.", plural(n, "Aucun message annulé", "1 message annulé", "%s messages annulés"))
			return exitOK
		}
		n, err := st.MarkSent(ctx, ids)
		if err != nil {
			return c.fail(err)
		}
		c.say("%s : ils ne partiront plus.", plural(n, "Aucun message marqué comme envoyé", "1 message marqué comme envoyé", "%s messages marqués comme envoyés"))
		return exitOK
	})
}

// outboxRecipient runs "convive outbox recipient ID ADDR".
func (c *cli) outboxRecipient(args []string) int {
	const name = "convive outbox recipient"
	fs := c.flags(name)
	rest, code, ok := c.parseFlags(fs, args, helpOutbox)
	switch {
	case !ok:
		return code
	case len(rest) != 2:
		return c.usageError(userErrorf("Indiquez le numéro du message puis la nouvelle adresse, par exemple : convive outbox recipient 12 jean.dupont@example.com"), name)
	}
	ids, err := parseIDs(rest[:1])
	if err != nil || len(ids) != 1 {
		return c.usageError(userErrorf("« %s » n'est pas un numéro de message.", rest[0]), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		if err := st.SetRecipient(ctx, ids[0], rest[1]); err != nil {
			return c.fail(err)
		}
		c.say("Le message n° %d partira à %s.", ids[0], strings.TrimSpace(rest[1]))
		return exitOK
	})
}

// sendReport is exactly what send --json prints.
type sendReport struct {
	Sent       int    `json:"sent"`
	Failed     int    `json:"failed"`
	RetryLater int    `json:"retry_later"`
	Unknown    int    `json:"unknown"`
	Remaining  int    `json:"remaining"`
	Busy       string `json:"busy,omitempty"` // another program was sending: nothing was tried
}

// send runs "convive send [--max N] [--wait] [--json]".
func (c *cli) send(args []string) int {
	const name = "convive send"
	fs := c.flags(name)
	maxN := fs.Int("max", 0, "")
	wait := fs.Bool("wait", false, "")
	asJSON := fs.Bool("json", false, "")
	if code, ok := c.noArgs(fs, args, helpSend); !ok {
		return code
	}
	if *maxN < 0 {
		return c.usageError(userErrorf("--max attend un nombre de messages positif."), name)
	}
	return c.withStore(func(ctx context.Context, st *sqlite.Store) int {
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		// Before anything is sent: a message a killed run left in "sending" must never go
		// out again without the manager's decision.
		recovered, err := st.RecoverSending(context.Background())
		if err != nil {
			return c.fail(err)
		}
		info := c.stdout
		if *asJSON {
			info = c.stderr
		}
		if recovered > 0 {
			fmt.Fprintln(info, french(plural(recovered,
				"", "1 message était « en cours d'envoi » quand Convive s'est arrêté : il est maintenant « à vérifier » et ne repartira pas sans votre décision (convive outbox --state unknown).",
				"%s messages étaient « en cours d'envoi » quand Convive s'est arrêté : ils sont maintenant « à vérifier » et ne repartiront pas sans votre décision (convive outbox --state unknown).")))
		}
		var rep core.DispatchReport
		// Nothing to send: no server, no password needed (a scheduled run stays quiet).
		due, next, err := st.OutboxDue(ctx, time.Now())
		if err != nil {
			return c.fail(err)
		}
		if due > 0 || *wait && !next.IsZero() {
			if rep, err = c.sendDue(ctx, st, *maxN, *wait); err != nil {
				return c.fail(err)
			}
		}
		c.report(ctx, st, rep, *asJSON)
		if rep.Busy != "" {
			// not a failure: the other program sends them
			fmt.Fprintln(info, french(rep.Busy))
		}
		if rep.Paused != "" {
			return c.fail(userErrorf("L'envoi est suspendu : %s Les messages restent en attente, sans essai compté.", rep.Paused))
		}
		if ctx.Err() != nil {
			fmt.Fprintln(info, french("Envoi arrêté à votre demande après le message en cours."))
		}
		return exitOK
	})
}

// sendDue sends what is due through the configured server.
func (c *cli) sendDue(ctx context.Context, st *sqlite.Store, maxN int, wait bool) (core.DispatchReport, error) {
	settings, cfg, err := smtpConfig(ctx, st)
	if err != nil {
		return core.DispatchReport{}, err
	}
	sender, err := smtp.NewSender(cfg)
	if err != nil {
		return core.DispatchReport{}, err
	}
	mailer := smtp.NewMailer(sender)
	defer mailer.Close()
	d := &core.Dispatcher{Store: st, Sender: mailer, MaxAttempts: settings.MaxAttempts, Backoff: smtp.Backoff}
	if wait {
		return d.RunUntilSettled(ctx, maxN)
	}
	return d.Run(ctx, maxN)
}

// report prints the outcome of send, in JSON or in a French sentence.
func (c *cli) report(ctx context.Context, st *sqlite.Store, rep core.DispatchReport, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(sendReport{rep.Sent, rep.Failed, rep.RetryLater, rep.Unknown, rep.Remaining, rep.Busy})
		fmt.Fprintln(c.stdout, string(b))
		return
	}
	c.say("%s, %s, %s, %s ; %s.",
		plural(rep.Sent, "Aucun e-mail envoyé", "1 e-mail envoyé", "%s e-mails envoyés"),
		plural(rep.Failed, "aucun en échec", "1 en échec", "%s en échec"),
		plural(rep.RetryLater, "aucun à réessayer plus tard", "1 à réessayer plus tard", "%s à réessayer plus tard"),
		plural(rep.Unknown, "aucun à vérifier", "1 à vérifier", "%s à vérifier"),
		plural(rep.Remaining, "plus rien à envoyer pour l'instant", "1 reste à envoyer", "%s restent à envoyer"))
	if next := nextSend(ctx, st); next != "" && rep.Remaining == 0 {
		c.say("%s", next)
	}
}

// nextSend says when the next queued message becomes sendable, or "".
func nextSend(ctx context.Context, st *sqlite.Store) string {
	_, next, err := st.OutboxDue(context.WithoutCancel(ctx), time.Now())
	if err != nil || next.IsZero() {
		return ""
	}
	return "Prochain envoi prévu le " + frenchDate(next) + "."
}
