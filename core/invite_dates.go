package core

import (
	"strings"
	"time"
)

// FrenchDateTime writes t in local time the French way, 25/11/2026 14:05; the zero
// time gives "".
func FrenchDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("02/01/2006 15:04")
}

// FrenchDate writes the day of t in local time, 25/11/2026, with the time after it
// (25/11/2026 à 09:30) unless it is midnight.
func FrenchDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	l := t.Local()
	if l.Hour() == 0 && l.Minute() == 0 {
		return l.Format("02/01/2006")
	}
	return l.Format("02/01/2006 à 15:04")
}

// dateLayouts are the forms ParseDate reads, day first as in France, or ISO.
var dateLayouts = []string{
	"02/01/2006 15:04", "2/1/2006 15:04", "02/01/2006 15h04", "2/1/2006 15h04", "02/01/2006",
	"2/1/2006", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02",
}

// ParseDate reads a date typed by a person, 25/11/2026 or 2026-11-25, with an optional
// time (25/11/2026 14:30, 2026-11-25T14:30), in loc (time.Local when nil). A date
// without a time is midnight, the start of that day.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	v := strings.Join(strings.Fields(strings.ReplaceAll(strings.TrimSpace(s), " à ", " ")), " ")
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, Errorf(EInvalid, "date.invalid",
		"«\u00a0{{.Value}}\u00a0» n'est pas une date\u00a0: écrivez-la 25/11/2026 ou 2026-11-25, avec l'heure si besoin (25/11/2026 14:30).",
		map[string]any{"Value": s})
}
