#!/usr/bin/env bash
# Takes docs/screenshot.png: Convive on a virtual display, on a demo database filled
# through the command line, showing the Utilisateurs screen.
#
#   docs/screenshot.sh [BINARY] [OUTPUT] [LANG]
#
# Needs Xvfb, xdotool and ImageMagick (make test-deps installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-bin/convive}
out=${2:-docs/screenshot.png}
lang=${3:-fr_FR.UTF-8}

work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true # Convive may still write its preferences while it stops
	rm -rf "$work"
}
trap cleanup EXIT

db=(--db "$work/demo.db")
for g in "Ventes/Région Sud" "Ventes/Région Nord" "Formateurs" "Support client"; do
	"$bin" "${db[@]}" groups add "$g" >/dev/null
done
while IFS=';' read -r email first last group role; do
	args=(--first-name "$first" --last-name "$last")
	[[ -n $group ]] && args+=(--group "$group")
	[[ -n $role ]] && args+=(--role "$role")
	"$bin" "${db[@]}" users add "$email" "${args[@]}" >/dev/null
done <<'USERS'
anne.lefevre@exemple.fr;Anne;Lefèvre;Ventes/Région Sud;
jean.dupont@exemple.fr;Jean;Dupont;Ventes/Région Nord;
chloe.martin@exemple.fr;Chloé;Martin;Formateurs;formateur
lucas.bernard@exemple.fr;Lucas;Bernard;Support client;
emma.petit@exemple.fr;Emma;Petit;Ventes/Région Sud;
hugo.durand@exemple.fr;Hugo;Durand;;
lea.moreau@exemple.fr;Léa;Moreau;Formateurs;formateur
nathan.girard@exemple.fr;Nathan;Girard;Support client;
ines.roux@exemple.fr;Inès;Roux;Ventes/Région Nord;
gabriel.fournier@exemple.fr;Gabriel;Fournier;;administrateur
USERS

# Xvfb picks a free display number and writes it on file descriptor 3.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -s $work/display ]] && break; sleep 0.1; done
export DISPLAY=":$(head -1 "$work/display")"

# An address where no bus listens: otherwise D-Bus clients start a session bus of their
# own that outlives Convive.
env -u LC_ALL LANG="$lang" HOME="$work" DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-session-bus" \
	"$bin" "${db[@]}" >"$work/log" 2>&1 &
pids+=($!)
win=
for _ in $(seq 120); do
	win=$(xdotool search --onlyvisible --name '^Convive$' 2>/dev/null | head -1) && [[ -n $win ]] && break
	sleep 0.5
done
[[ -n $win ]] || { echo "La fenêtre de Convive n'est pas apparue :" >&2; cat "$work/log" >&2; exit 1; }
sleep 2
# The second entry of the navigation bar: Utilisateurs.
xdotool mousemove --window "$win" 70 61 click 1
sleep 2
import -window "$win" "$out"
echo "Capture enregistrée dans $out"
