package core

import "strings"

// commonDomains are the mail providers whose misspellings are worth flagging.
var commonDomains = []string{
	"gmail.com", "googlemail.com", "hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr",
	"live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr", "icloud.com", "me.com",
	"orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr",
	"gmx.fr", "gmx.com", "proton.me", "protonmail.com", "aol.com", "club-internet.fr",
}

// SuggestDomain returns the address with a common provider's domain when the address's
// domain looks like a typo of it (gmial.com → gmail.com), or "" when it does not.
func SuggestDomain(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || len(domain) < 5 {
		return ""
	}
	domain = strings.ToLower(domain)
	best, bestDist := "", 3
	for _, d := range commonDomains {
		if d == domain {
			return ""
		}
		if dist := editDistance(domain, d); dist < bestDist {
			best, bestDist = d, dist
		}
	}
	if best == "" || bestDist == 2 && len(domain) < 9 {
		return ""
	}
	// The same provider under another country code (hotmail.de, yahoo.ca) is usually
	// real; only a one-letter slip in the ending (gmail.con) is flagged.
	if ai, bi := strings.LastIndexByte(domain, '.'), strings.LastIndexByte(best, '.'); domain[:ai] == best[:bi] && editDistance(domain[ai:], best[bi:]) > 1 {
		return ""
	}
	return local + "@" + best
}

// editDistance is the optimal string alignment distance (Levenshtein plus swaps of
// two neighbouring letters, the commonest typo).
func editDistance(a, b string) int {
	la, lb := len(a), len(b)
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}
