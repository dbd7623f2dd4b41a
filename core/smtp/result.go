package smtp

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/textproto"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"convive/core"

	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Outcome is what became of one message, or of one attempt to connect.
type Outcome string

// Outcomes. The outbox maps them to its states: Sent → sent; Temporary → queued again
// after Backoff; Permanent → failed; Unknown → unknown (never re-sent without the
// manager); AuthFailed and ConfigError → queued again without counting an attempt, and
// the whole outbox paused until the manager fixes the settings.
const (
	Sent        Outcome = "sent"         // the server took the message (250 after DATA)
	Temporary   Outcome = "temporary"    // not sent; trying again later may work
	Permanent   Outcome = "permanent"    // the server refused this message for good
	Unknown     Outcome = "unknown"      // the message was sent but its answer was lost
	AuthFailed  Outcome = "auth_failed"  // the server refused the credentials
	ConfigError Outcome = "config_error" // the settings cannot work with this server
)

// Result is the classified outcome of sending one message.
type Result struct {
	Outcome   Outcome
	Detail    string // French sentence for the manager; empty when sent
	Raw       error  // the error as it came from the network or the server, for the log
	Code      int    // the server's reply code when it answered (550, 421, …), else 0
	Reply     string // the server's answer: its refusal, or its acceptance (queue id)
	MessageID string // the Message-ID the message carried, without angle brackets
}

// Retry reports whether the message should be queued again for a later attempt.
func (r Result) Retry() bool { return r.Outcome == Temporary }

// PausesOutbox reports whether the problem is not the message's but the settings' or
// the credentials': the outbox stops sending and tells the manager, instead of using
// up every message's attempts.
func (r Result) PausesOutbox() bool { return r.Outcome == AuthFailed || r.Outcome == ConfigError }

// Failure is the error Dial and Test return when the connection cannot be used. Its
// Error is the French sentence; errors.As finds the *core.Error that carries it (so
// core.ErrorMessage shows it) and the raw cause.
type Failure struct {
	Result
}

// Error returns the French sentence.
func (f *Failure) Error() string { return f.Detail }

// Unwrap gives errors.As and errors.Is the French *core.Error and the raw cause.
func (f *Failure) Unwrap() []error {
	code := core.EInternal
	if f.PausesOutbox() {
		code = core.EInvalid
	}
	// No template data: the sentence may quote the server, whose braces must stay as is.
	e := core.Errorf(code, "smtp."+string(f.Outcome), f.Detail, nil)
	if f.Raw == nil {
		return []error{e}
	}
	return []error{e, f.Raw}
}

// Backoff returns how long to wait before attempt number attempt+1, after attempt
// failed temporarily: 1 minute after the first, then 2, 4, 8 … capped at 1 hour, each
// with up to 10 % of random spread so that messages do not all come back at once.
func Backoff(attempt int) time.Duration {
	const (
		base = time.Minute
		max  = time.Hour
	)
	if attempt < 1 {
		attempt = 1
	}
	d := max
	if attempt <= 7 {
		d = min(base<<(attempt-1), max)
	}
	jitter := time.Duration(rand.Int64N(int64(d / 10)))
	if d+jitter > max {
		return d - jitter
	}
	return d + jitter
}

// phase is where in the conversation an error happened; it decides what an error
// means (a lost connection before the final "." loses nothing, after it the message
// may have been stored).
type phase int

const (
	phaseMessage  phase = iota // building the message: nothing sent
	phaseConnect               // name lookup, TCP, implicit TLS
	phaseGreeting              // banner, EHLO, STARTTLS
	phaseAuth                  // AUTH
	phaseMail                  // MAIL FROM
	phaseRcpt                  // RCPT TO
	phaseData                  // DATA and the message content, before the final "."
	phaseDataEnd               // the final "." and the server's answer to it
)

// nb is a non-breaking space, required before « : ; ! ? » and inside « ».
const nb = "\u00a0"

var enhancedRe = regexp.MustCompile(`^([245])\.(\d{1,3})\.(\d{1,3})\b`)

// reply is a server's answer that was not the expected one.
type reply struct {
	code     int
	enhanced string // "5.1.1", or "" when the server gave none
	text     string
}

func replyOf(err error) (reply, bool) {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return reply{}, false
	}
	r := reply{code: te.Code, text: strings.TrimSpace(te.Msg)}
	if m := enhancedRe.FindString(r.text); m != "" {
		r.enhanced = m
	}
	return r, true
}

// reason turns a server's answer into a few French words.
func (r reply) reason(ph phase) string {
	sub := ""
	if r.enhanced != "" {
		sub = r.enhanced[strings.IndexByte(r.enhanced, '.')+1:]
	}
	switch sub {
	case "1.1":
		return "boîte aux lettres inexistante"
	case "1.2":
		return "domaine du destinataire introuvable"
	case "1.3":
		return "adresse mal formée"
	case "1.6":
		return "le destinataire a changé d'adresse"
	case "1.7", "1.8":
		return "adresse d'expéditeur refusée"
	case "1.10":
		return "le domaine du destinataire ne reçoit pas d'e-mails"
	case "2.1":
		if r.code/100 == 4 {
			return "boîte aux lettres momentanément indisponible"
		}
		return "boîte aux lettres désactivée"
	case "2.2":
		return "boîte aux lettres pleine"
	case "2.3", "3.4":
		return "message trop volumineux"
	case "4.5":
		return "serveur surchargé"
	case "5.3":
		return "trop de destinataires"
	case "7.1":
		if r.code/100 == 4 {
			return "envoi différé par le serveur, liste grise ou limite d'envoi"
		}
		if ph == phaseDataEnd {
			return "message refusé par le filtre du serveur"
		}
		return "envoi refusé par la politique du serveur"
	case "7.8":
		return "identifiants refusés"
	case "7.9":
		return "méthode d'authentification trop faible"
	case "7.11":
		return "chiffrement exigé"
	case "7.23", "7.24", "7.25", "7.26", "7.27":
		return "le domaine d'expéditeur ne permet pas cet envoi (SPF, DKIM ou DMARC)"
	}
	switch r.code {
	case 421:
		return "service momentanément indisponible"
	case 450:
		return "boîte aux lettres momentanément indisponible"
	case 451:
		return "erreur momentanée du serveur"
	case 452:
		return "espace ou capacité momentanément insuffisants"
	case 454:
		return "service momentanément indisponible"
	case 455:
		return "paramètres momentanément refusés"
	case 500, 502, 503, 504:
		return "commande refusée"
	case 501:
		if ph == phaseRcpt || ph == phaseMail {
			return "adresse mal formée"
		}
		return "syntaxe refusée"
	case 521, 556:
		return "le domaine ne reçoit pas d'e-mails"
	case 530:
		return "authentification exigée"
	case 534:
		return "méthode d'authentification trop faible"
	case 535:
		return "identifiants refusés"
	case 538:
		return "chiffrement exigé pour s'authentifier"
	case 550:
		switch ph {
		case phaseRcpt:
			return "boîte aux lettres inexistante"
		case phaseMail:
			return "adresse d'expéditeur refusée"
		}
		return "message refusé"
	case 551:
		return "destinataire inconnu de ce serveur"
	case 552:
		if ph == phaseRcpt {
			return "boîte aux lettres pleine"
		}
		return "message trop volumineux"
	case 553:
		return "adresse refusée"
	case 554:
		if ph == phaseDataEnd || ph == phaseData {
			return "message refusé"
		}
		return "transaction refusée"
	}
	if r.code/100 == 4 {
		return "erreur momentanée"
	}
	return "refus du serveur"
}

// classifier turns errors into Results; it knows the settings and the message so
// that the sentence can name the server and the recipient.
type classifier struct {
	cfg     Config
	to      string
	forTest bool // "Tester la connexion": nothing is queued, nothing will be retried
}

// Endings of the outbox's sentences, reworded for a connection test.
var testWording = strings.NewReplacer(
	" Un nouvel essai aura lieu plus tard.", " Réessayez plus tard.",
	nb+"; l'envoi est suspendu en attendant.", ".",
)

func (c classifier) result(o Outcome, raw error, code int, rep, detail string) Result {
	if c.forTest {
		detail = testWording.Replace(detail)
	}
	return Result{Outcome: o, Detail: detail, Raw: raw, Code: code, Reply: rep}
}

// classify says what err, met in phase ph, means for the message.
func (c classifier) classify(err error, ph phase) Result {
	addr := c.cfg.Addr()
	if r, ok := replyOf(err); ok {
		return c.classifyReply(err, r, ph)
	}

	// Failures of our own making, before anything left.
	switch {
	case errors.Is(err, errNoAuthOffered):
		return c.result(ConfigError, err, 0, "", "Le serveur "+addr+" ne propose pas d'authentification alors qu'un utilisateur est renseigné. Choisissez «"+nb+"aucune"+nb+"» authentification, ou vérifiez la sécurité (certains serveurs ne la proposent qu'après STARTTLS)"+nb+"; l'envoi est suspendu en attendant.")
	case errors.Is(err, errMechanismNotOffered):
		return c.result(ConfigError, err, 0, "", "Le serveur "+addr+" ne propose pas l'authentification "+c.cfg.Auth.Label()+". Choisissez l'authentification «"+nb+"automatique"+nb+"» dans les réglages SMTP"+nb+"; l'envoi est suspendu en attendant.")
	case errors.Is(err, gosmtp.ErrUnencrypted):
		return c.result(ConfigError, err, 0, "", "Le mot de passe ne peut pas être envoyé au serveur "+addr+" sur une connexion non chiffrée. Choisissez la sécurité STARTTLS ou TLS"+nb+"; l'envoi est suspendu en attendant.")
	case strings.Contains(err.Error(), "does not support STARTTLS"):
		// go-mail refuses to go on in clear text (TLSMandatory). The server may truly
		// lack STARTTLS (wrong port, old server) or someone may strip it on the way;
		// neither goes away by waiting, so the manager must look before anything leaves.
		return c.result(ConfigError, err, 0, "", "Le serveur "+addr+" ne propose pas STARTTLS"+nb+": les e-mails et le mot de passe ne peuvent pas y être envoyés de façon protégée. Vérifiez le port, ou choisissez la sécurité TLS (souvent le port 465)"+nb+"; l'envoi est suspendu en attendant.")
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return c.result(ConfigError, err, 0, "", "Le serveur "+addr+" ne répond pas en TLS sur ce port. Choisissez la sécurité STARTTLS (souvent le port 587) ou le port TLS du serveur (souvent 465)"+nb+"; l'envoi est suspendu en attendant.")
	}

	if errors.Is(err, context.Canceled) && ph < phaseDataEnd {
		return c.result(Temporary, err, 0, "", "L'envoi a été interrompu avant que le message parte"+nb+"; il sera envoyé plus tard.")
	}

	timeout := isTimeout(err)
	secs := strconv.Itoa(int(c.cfg.Timeout.Round(time.Second) / time.Second))
	if ph == phaseDataEnd {
		// The whole message and its final "." were written: the server may have stored
		// it and lost only its answer. Sending again could deliver it twice.
		if timeout {
			return c.result(Unknown, err, 0, "", "Le serveur "+addr+" n'a pas confirmé la réception dans les "+secs+" secondes prévues, alors que le message lui avait été transmis en entier"+nb+": il a peut-être été reçu. Vérifiez auprès du destinataire avant de le renvoyer.")
		}
		return c.result(Unknown, err, 0, "", "La connexion avec le serveur "+addr+" a été coupée après la transmission du message, avant sa réponse"+nb+": le message a peut-être été reçu. Vérifiez auprès du destinataire avant de le renvoyer.")
	}

	var dnsErr *net.DNSError
	var certInvalid x509.CertificateInvalidError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var verifyErr *tls.CertificateVerificationError
	retry := " Un nouvel essai aura lieu plus tard."
	switch {
	case errors.As(err, &dnsErr):
		return c.result(Temporary, err, 0, "", "Le nom du serveur «"+nb+c.cfg.Host+nb+"» est introuvable. Vérifiez ce nom dans les réglages SMTP et la connexion Internet."+retry)
	case errors.Is(err, syscall.ECONNREFUSED):
		return c.result(Temporary, err, 0, "", "Le serveur "+addr+" refuse la connexion (aucun service sur ce port). Vérifiez que le serveur fonctionne et que le nom et le port sont les bons."+retry)
	case timeout:
		return c.result(Temporary, err, 0, "", "Le serveur "+addr+" n'a pas répondu dans les "+secs+" secondes prévues."+retry)
	case errors.As(err, &hostErr):
		return c.result(Temporary, err, 0, "", "Le certificat du serveur "+addr+" ne correspond pas au nom «"+nb+c.cfg.Host+nb+"»"+nb+": la connexion chiffrée a été refusée. Vérifiez le nom du serveur dans les réglages SMTP."+retry)
	case errors.As(err, &unknownAuth):
		return c.result(Temporary, err, 0, "", "Le certificat du serveur "+addr+" est émis par une autorité inconnue"+nb+": la connexion chiffrée a été refusée. Contactez l'administrateur du serveur."+retry)
	case errors.As(err, &certInvalid) && certInvalid.Reason == x509.Expired:
		return c.result(Temporary, err, 0, "", "Le certificat du serveur "+addr+" a expiré ou n'est pas encore valable"+nb+": la connexion chiffrée a été refusée. Contactez l'administrateur du serveur."+retry)
	case errors.As(err, &verifyErr), errors.As(err, &certInvalid):
		return c.result(Temporary, err, 0, "", "Le certificat du serveur "+addr+" n'est pas valable"+nb+": la connexion chiffrée a été refusée. Contactez l'administrateur du serveur."+retry)
	case isTLSError(err):
		return c.result(Temporary, err, 0, "", "La connexion chiffrée avec le serveur "+addr+" n'a pas pu être établie."+retry)
	case isClosed(err):
		if ph <= phaseAuth {
			return c.result(Temporary, err, 0, "", "Le serveur "+addr+" a coupé la connexion avant l'envoi du message."+retry)
		}
		return c.result(Temporary, err, 0, "", "La connexion avec le serveur "+addr+" a été coupée avant la fin de l'envoi"+nb+": le message n'est pas parti."+retry)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) || ph <= phaseGreeting {
		return c.result(Temporary, err, 0, "", "Impossible de joindre le serveur "+addr+". Vérifiez la connexion Internet et les réglages SMTP."+retry)
	}
	if ph == phaseMessage {
		return c.result(Permanent, err, 0, "", "Le message n'a pas pu être préparé pour l'envoi. Vérifiez l'adresse du destinataire et l'expéditeur.")
	}
	return c.result(Temporary, err, 0, "", "L'envoi a échoué avant que le message parte."+retry)
}

// classifyReply handles an answer of the server.
func (c classifier) classifyReply(err error, r reply, ph phase) Result {
	addr := c.cfg.Addr()
	rep := strconv.Itoa(r.code) + " " + r.text
	paren := "(" + strconv.Itoa(r.code) + nb + ": " + r.reason(ph) + ")"
	suspended := nb + "; l'envoi est suspendu en attendant."
	temp := r.code/100 == 4
	switch {
	case r.code == 530 || (ph == phaseAuth && (r.code == 535 || r.code == 534 || r.code == 538 || r.code/100 == 5)):
		if r.code == 530 && ph != phaseAuth {
			return c.result(AuthFailed, err, r.code, rep, "Le serveur exige une authentification "+paren+". Renseignez l'utilisateur et le mot de passe dans les réglages SMTP"+suspended)
		}
		if r.code == 534 || r.code == 538 || r.code == 504 {
			return c.result(AuthFailed, err, r.code, rep, "Le serveur a refusé la méthode d'authentification "+paren+". Choisissez une autre authentification ou la sécurité TLS dans les réglages SMTP"+suspended)
		}
		return c.result(AuthFailed, err, r.code, rep, "Le serveur a refusé l'utilisateur ou le mot de passe "+paren+". Vérifiez-les dans les réglages SMTP"+suspended)
	case r.code == 535:
		// 535 outside AUTH still means the credentials are wrong.
		return c.result(AuthFailed, err, r.code, rep, "Le serveur a refusé l'utilisateur ou le mot de passe "+paren+". Vérifiez-les dans les réglages SMTP"+suspended)
	case temp && ph <= phaseGreeting:
		return c.result(Temporary, err, r.code, rep, "Le serveur "+addr+" est momentanément indisponible "+paren+". Un nouvel essai aura lieu plus tard.")
	case temp && ph == phaseAuth:
		return c.result(Temporary, err, r.code, rep, "Le serveur n'a pas pu vérifier l'utilisateur et le mot de passe pour le moment "+paren+". Un nouvel essai aura lieu plus tard.")
	case temp && ph == phaseRcpt:
		return c.result(Temporary, err, r.code, rep, "Le serveur n'accepte pas encore le destinataire «"+nb+c.to+nb+"» "+paren+". Un nouvel essai aura lieu plus tard.")
	case temp:
		return c.result(Temporary, err, r.code, rep, "Le serveur n'a pas accepté le message pour le moment "+paren+". Un nouvel essai aura lieu plus tard.")
	case r.code/100 == 2 && ph == phaseDataEnd:
		// An unusual success code (251, 252…) after the final ".": the server took it.
		return c.result(Sent, nil, r.code, rep, "")
	case ph <= phaseGreeting:
		return c.result(ConfigError, err, r.code, rep, "Le serveur "+addr+" refuse la connexion "+paren+". Vérifiez les réglages SMTP ou contactez l'administrateur du serveur"+suspended)
	case ph == phaseMail && (r.code == 552 || r.enhanced != "" && strings.HasSuffix(r.enhanced, ".3.4")):
		return c.result(Permanent, err, r.code, rep, "Le serveur a refusé le message "+paren+". Réduisez sa taille avant de le renvoyer.")
	case ph == phaseMail:
		// MAIL FROM carries nothing of the message but its size: a refusal here is
		// about the sender address, and every other message would meet it too.
		return c.result(ConfigError, err, r.code, rep, "Le serveur refuse l'adresse d'expéditeur «"+nb+c.cfg.From+nb+"» "+paren+". Indiquez une adresse que ce compte a le droit d'utiliser dans les réglages SMTP"+suspended)
	case ph == phaseRcpt:
		return c.result(Permanent, err, r.code, rep, "Le serveur a refusé l'adresse du destinataire «"+nb+c.to+nb+"» "+paren+". Vérifiez l'adresse.")
	default:
		return c.result(Permanent, err, r.code, rep, "Le serveur a refusé le message pour «"+nb+c.to+nb+"» "+paren+". Il ne sera pas renvoyé automatiquement"+nb+"; corrigez-le ou contactez l'administrateur du serveur de messagerie.")
	}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

func isTLSError(err error) bool {
	var alert tls.AlertError
	var echErr *tls.ECHRejectionError
	return errors.As(err, &alert) || errors.As(err, &echErr) || strings.Contains(err.Error(), "tls: ")
}
