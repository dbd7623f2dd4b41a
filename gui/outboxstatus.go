package gui

import (
	"fyne.io/fyne/v2/lang"

	"convive/core"
)

// outboxStatusText is the outbox part of the status bar: hors ligne, en pause (and
// why), envoi en cours 3/120, à jour.
func outboxStatusText(s outboxState) string {
	switch s.phase {
	case phaseStarting:
		return lang.X("status.outbox.starting", "Boîte d'envoi : vérification…")
	case phaseNoServer:
		return lang.X("status.outbox.none", "Boîte d'envoi : hors ligne, aucun serveur configuré")
	case phaseUnreachable:
		return lang.X("status.outbox.unreachable", "Boîte d'envoi : hors ligne, serveur injoignable")
	case phaseElsewhere:
		return lang.X("status.outbox.elsewhere", "Boîte d'envoi : envoi par un autre programme Convive")
	case phasePaused:
		switch s.pause {
		case pausePassword:
			return lang.X("status.outbox.paused.password", "Boîte d'envoi : en pause, mot de passe à saisir")
		case pauseStopped:
			return lang.X("status.outbox.paused.stopped", "Boîte d'envoi : en pause, arrêtée à votre demande")
		case pauseAutoOff:
			return lang.X("status.outbox.paused.auto_off", "Boîte d'envoi : en pause, envoi automatique désactivé")
		default:
			return lang.X("status.outbox.paused.settings", "Boîte d'envoi : en pause, réglages d'envoi à vérifier")
		}
	case phaseRunning:
		// The message in flight counts: « 1/120 » while the first one goes.
		p := s.progress
		total := max(p.Done+p.Remaining, 1)
		return lang.X("status.outbox.running", "Boîte d'envoi : envoi en cours {{.Done}}/{{.Total}}",
			map[string]any{"Done": formatInt(min(p.Done+1, total)), "Total": formatInt(total)})
	}
	if n := s.counts.Unknown; n > 0 {
		return lang.XN("status.outbox.unknown", "Boîte d'envoi : à jour, {{.N}} messages à vérifier", n, count(n))
	}
	return lang.X("status.outbox.idle", "Boîte d'envoi : à jour")
}

// lastSendText is « dernier envoi : 25/11/2026 14:05 », or "" before any send.
func lastSendText(s outboxState) string {
	if s.lastSent.IsZero() {
		return ""
	}
	return lang.X("status.outbox.last", "dernier envoi : {{.At}}", map[string]any{"At": formatDate(s.lastSent)})
}

// progressText is the line under the progress bar: « 12 envoyés · 108 restants · 1 échec ».
func progressText(p core.DispatchProgress) string {
	parts := []string{
		lang.XN("outbox.progress.sent", "{{.N}} envoyés", p.Sent, count(p.Sent)),
		lang.XN("outbox.progress.remaining", "{{.N}} restants", p.Remaining, count(p.Remaining)),
	}
	if p.Failed > 0 {
		parts = append(parts, lang.XN("outbox.progress.failed", "{{.N}} échecs", p.Failed, count(p.Failed)))
	}
	return joinDot(parts)
}
