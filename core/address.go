package core

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Address is a validated login and the address its mail is delivered to. They differ
// only for a "#" alias: the login jean.dupont#formation@gmail.com delivers to
// jean.dupont@gmail.com.
type Address struct {
	Login string // as stored and shown: local part as typed, domain lower-case Unicode
	Email string // delivery address: Login without its "#tag"
	Key   string // uniqueness key of Login: lower-case local part, ASCII (punycode) domain
}

// EmailKey returns the uniqueness key of the delivery address.
func (a Address) EmailKey() string {
	local, domain, _ := strings.Cut(a.Key, "@")
	if i := strings.IndexByte(local, '#'); i >= 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// Tag returns the alias after "#", or "" when the login has none.
func (a Address) Tag() string {
	local, _, _ := strings.Cut(a.Login, "@")
	_, tag, _ := strings.Cut(local, "#")
	return tag
}

// idnaProfile validates and converts domains the way mail software resolves them.
var idnaProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.StrictDomainName(true), idna.Transitional(false))

func addrError(key, message, input string) *Error {
	return Errorf(EInvalid, key, message, map[string]any{"Address": input})
}

// ParseAddress validates an e-mail address or login typed or read by a person and
// returns its normalised forms. It is the only place where addresses are judged; every
// other layer calls it. The French messages quote the address as it was given.
func ParseAddress(input string) (Address, error) {
	s := strings.TrimSpace(norm.NFC.String(input))
	quoted := s
	switch {
	case s == "":
		return Address{}, Errorf(EInvalid, "address.empty", "L'adresse e-mail est vide.", nil)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return Address{}, addrError("address.unreadable", "« {{.Address}} » n'est pas une adresse valide : elle contient des caractères illisibles. Vérifiez l'encodage du fichier.", strings.ToValidUTF8(s, "?"))
	case strings.ContainsAny(s, "<>\"") || strings.ContainsAny(s, " \t\r\n"):
		return Address{}, addrError("address.display", "« {{.Address}} » n'est pas une adresse seule : indiquez uniquement l'adresse, sans nom ni espace ni guillemets.", quoted)
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return Address{}, addrError("address.no_at", "« {{.Address}} » n'est pas une adresse valide : il manque le signe @.", quoted)
	}
	local, domain := s[:at], s[at+1:]
	if strings.IndexByte(local, '@') >= 0 {
		return Address{}, addrError("address.two_at", "« {{.Address}} » n'est pas une adresse valide : elle contient plusieurs signes @.", quoted)
	}
	if local == "" {
		return Address{}, addrError("address.no_local", "« {{.Address}} » n'est pas une adresse valide : il manque la partie avant le @.", quoted)
	}
	if domain == "" {
		return Address{}, addrError("address.no_domain", "« {{.Address}} » n'est pas une adresse valide : il manque le domaine après le @.", quoted)
	}
	if len(local) > 64 {
		return Address{}, addrError("address.local_long", "« {{.Address}} » n'est pas une adresse valide : la partie avant le @ dépasse 64 caractères.", quoted)
	}
	for _, r := range local {
		if r >= utf8.RuneSelf {
			return Address{}, addrError("address.accent", "« {{.Address}} » n'est pas une adresse valide : la partie avant le @ contient un caractère accentué ou spécial.", quoted)
		}
		if !isAtext(byte(r)) && r != '.' {
			return Address{}, addrError("address.char", "« {{.Address}} » n'est pas une adresse valide : le caractère « "+string(r)+" » n'est pas permis avant le @.", quoted)
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return Address{}, addrError("address.dots", "« {{.Address}} » n'est pas une adresse valide : un point ne peut pas commencer ou finir la partie avant le @, ni être doublé.", quoted)
	}
	if strings.HasPrefix(local, "#") {
		return Address{}, addrError("address.alias_empty", "« {{.Address}} » n'est pas une adresse valide : il manque le nom avant le #.", quoted)
	}
	ascii, err := idnaProfile.ToASCII(strings.TrimSuffix(domain, "."))
	if err != nil || ascii == "" {
		return Address{}, addrError("address.domain", "« {{.Address}} » n'est pas une adresse valide : le domaine « "+domain+" » est mal formé.", quoted)
	}
	ascii = strings.ToLower(ascii)
	if !strings.Contains(ascii, ".") {
		return Address{}, addrError("address.no_dot", "« {{.Address}} » n'est pas une adresse valide : le domaine doit contenir un point (par exemple gmail.com).", quoted)
	}
	if tld := ascii[strings.LastIndexByte(ascii, '.')+1:]; len(tld) < 2 || isDigits(tld) {
		return Address{}, addrError("address.tld", "« {{.Address}} » n'est pas une adresse valide : le domaine se termine mal.", quoted)
	}
	unicodeDomain, err := idnaProfile.ToUnicode(ascii)
	if err != nil {
		unicodeDomain = ascii
	}
	if len(local)+1+len(ascii) > 254 {
		return Address{}, addrError("address.long", "« {{.Address}} » n'est pas une adresse valide : elle dépasse 254 caractères.", quoted)
	}
	// The three strings are often the same text (no "#", lower case, ASCII domain):
	// they then share one string, which matters for the 100 000 rows of an import.
	a := Address{Login: local + "@" + unicodeDomain}
	if s == a.Login {
		a.Login = s
	}
	if key := strings.ToLower(local) + "@" + ascii; key == a.Login {
		a.Key = a.Login
	} else {
		a.Key = key
	}
	if base, _, alias := strings.Cut(local, "#"); alias {
		a.Email = base + "@" + unicodeDomain
	} else {
		a.Email = a.Login
	}
	return a, nil
}

// isAtext reports whether c may appear in an RFC 5322 dot-atom (the dot aside).
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// WithAlias returns the login made of a's delivery address and the given tag, e.g.
// jean.dupont#formation@gmail.com. The tag is made safe with AliasTag first.
func (a Address) WithAlias(tag string) (Address, error) {
	tag = AliasTag(tag)
	if tag == "" {
		return Address{}, Errorf(EInvalid, "address.alias_tag", "Le nom de la plateforme ne permet pas de former un alias : renseignez-le dans Paramètres.", nil)
	}
	local, domain, _ := strings.Cut(a.Email, "@")
	return ParseAddress(local + "#" + tag + "@" + domain)
}

// AliasTag turns a platform name into something that can follow "#" in an address:
// accents folded, lower-case, letters and digits kept, other runs become "-".
func AliasTag(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(name) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	s := b.String()
	if len(s) > 30 {
		s = strings.TrimRight(s[:30], "-")
	}
	return s
}
