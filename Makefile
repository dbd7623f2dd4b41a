# Convive: build, test, benchmark and package. GNU make with bash, on Debian or Ubuntu.
#
#   make run       install what the build needs, build and start Convive
#   make test      install what the tests need and run every test
#
# Other targets: deps, test-deps, build, release, bench, lint, package, screenshot, clean.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build
.DELETE_ON_ERROR:

GO      ?= go
GOBIN   := $(shell $(GO) env GOPATH 2>/dev/null)/bin
export PATH := $(GOBIN):$(PATH)
# Fyne's drivers (GLFW, OpenGL) are C: cgo must be on. The C parts are compiled once and
# then come from Go's build cache, shared by build, run and test.
export CGO_ENABLED := 1

VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
SUDO    := $(if $(filter 0,$(shell id -u)),,sudo)

# Debian packages: what the build needs (OpenGL, X11 and GTK for the native file
# dialog), and what the tests add (a virtual display, window lookup, screenshots).
BUILD_PKGS   := gcc pkg-config libgl1-mesa-dev xorg-dev libxkbcommon-dev libgtk-3-dev
TEST_PKGS    := xvfb xauth xdotool x11-utils imagemagick
PACKAGE_PKGS := xz-utils

MAILPIT     := github.com/axllent/mailpit@v1.27.11
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FYNE        := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4

BIN   := bin/convive
BENCH := bin/bench.txt
# Benchmarks held to the 20 ms target: a search and a page among 100 000 users.
BENCH_TARGETS := SearchUsers|UsersPage

# apt_install installs the Debian packages given that are not installed yet, running
# apt-get update once, and only when something is missing.
define apt_install
	missing=(); \
	for p in $(1); do dpkg -s "$$p" 2>/dev/null | grep -q "^Status: install ok installed" || missing+=("$$p"); done; \
	if (( $${#missing[@]} )); then \
		echo "Installation des paquets manquants : $${missing[*]}"; \
		$(SUDO) apt-get update; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y "$${missing[@]}"; \
	fi
endef

# go_install installs a Go tool ($(2)) into $(GOBIN) when the command $(1) is missing.
define go_install
	command -v $(1) >/dev/null || { echo "Installation de $(1)"; $(GO) install $(2); }
endef

.PHONY: all deps test-deps tools run build release test bench bench-report lint package screenshot clean check-go

all: build

check-go:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 ou plus récent est nécessaire : installez-le depuis https://go.dev/dl/ puis relancez make." >&2; exit 1; }

## deps: install the Debian packages the build needs, when missing
deps: check-go
	@$(call apt_install,$(BUILD_PKGS))

## test-deps: deps, plus Xvfb, xdotool, ImageMagick and mailpit for the tests
test-deps: check-go
	@$(call apt_install,$(BUILD_PKGS) $(TEST_PKGS))
	@$(call go_install,mailpit,$(MAILPIT))

## tools: staticcheck, for lint
tools: check-go
	@$(call go_install,staticcheck,$(STATICCHECK))

## build: bin/convive, a debug build that keeps Fyne's thread checks
build: deps
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/convive

## run: build and start Convive (make run ARGS='--db /tmp/essai.db')
run: build
	./$(BIN) $(ARGS)

## release: bin/release/convive, optimised, without debug information
release: deps
	$(GO) build -tags migrated_fynedo -trimpath -ldflags '-s -w $(LDFLAGS)' -o bin/release/convive ./cmd/convive

## test: every test; core with the race detector, the smoke test under Xvfb
# Both runs go to the end, so that one failing package does not hide the others.
# No session bus is reachable in tests: a D-Bus client (keyring, desktop settings) would
# otherwise start a dbus-daemon per test process and leave it running.
test: test-deps
	export DBUS_SESSION_BUS_ADDRESS=unix:path=$(CURDIR)/bin/no-session-bus; \
	status=0; \
	$(GO) test -race -timeout 20m ./core/... || status=1; \
	$(GO) test -timeout 20m $$($(GO) list ./... | grep -v -e '^convive/core') || status=1; \
	exit $$status

## bench: the benchmarks, saved in bin/bench.txt, then the key figures
bench: deps
	@mkdir -p bin
	pkgs=$$(grep -rlE --include='*_test.go' '^func Benchmark' . | xargs -r -n1 dirname | sort -u); \
	if [[ -z "$$pkgs" ]]; then echo "Aucun benchmark trouvé."; exit 0; fi; \
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $$pkgs | tee $(BENCH)
	@$(MAKE) --no-print-directory bench-report

## bench-report: the key figures of the last make bench
bench-report:
	@[[ -f $(BENCH) ]] || { echo "Lancez d'abord make bench."; exit 1; }
	@echo
	@echo "Résumé, en millisecondes par opération. Objectifs : moins de 20 ms pour chercher"
	@echo "et pour lire une page parmi 100 000 utilisateurs ($(BENCH_TARGETS)) ; import de"
	@echo "100 000 lignes en 1,5 fois au plus la simple lecture du classeur, sous 200 Mo ;"
	@echo "boîte d'envoi à 0,7 fois au moins le débit d'une boucle go-mail nue ; aperçu de"
	@echo "100 000 lignes défilant en moins de 16 ms par pas :"
	@awk -v targets='^Benchmark($(BENCH_TARGETS))(-[0-9]+)?$$' '/^pkg: / { pkg = $$2; print "  " pkg } \
	/^Benchmark/ { \
		ns = ""; b = ""; allocs = ""; extra = ""; \
		for (i = 3; i < NF; i += 2) { \
			if ($$(i+1) == "ns/op") ns = $$i; \
			else if ($$(i+1) == "B/op") b = $$i; \
			else if ($$(i+1) == "allocs/op") allocs = $$i; \
			else { \
				m = $$(i+1); v = $$i; flag = ""; \
				if (m == "x-raw-rows" && $$1 ~ /^BenchmarkFullImport-/) flag = (v <= 1.5 ? "(ok ≤ 1,5)" : "(TROP LENT > 1,5)"); \
				if (m == "peak-rss-MB" && $$1 ~ /^Benchmark(FullImport|PreviewThenCommit)-/) flag = (v < 200 ? "(ok < 200)" : "(TROP GROS ≥ 200)"); \
				if (m == "import-ms" && $$1 ~ /^BenchmarkFullImportCSV-/) flag = (v < 1000 ? "(ok < 1 s)" : "(TROP LENT > 1 s)"); \
				if (m == "insert-ms" && $$1 ~ /^BenchmarkBareSQLiteInsert-/) flag = "(plancher de FullImportCSV : SQLite seul, sans index ni lecture du fichier)"; \
				if (m == "ratio" && $$1 ~ /^BenchmarkOutboxAgainstBareGoMail-/) flag = (v >= 0.7 ? "(ok ≥ 0,7)" : "(TROP LENT < 0,7)"); \
				if ((m == "p99-ms" || m == "worst-ms") && $$1 ~ /^BenchmarkPreviewScroll\//) flag = (v < 16 ? "(ok < 16)" : "(SACCADÉ ≥ 16)"); \
				extra = extra " " m "=" v flag; \
			} \
		} \
		if (ns == "") next; \
		ms = ns / 1e6; verdict = ""; \
		if ($$1 ~ targets) verdict = (ms < 20 ? "  ok" : "  TROP LENT"); \
		if ($$1 ~ /^BenchmarkPreviewScroll\//) verdict = (ms < 16 ? "  ok (< 16 ms par image)" : "  SACCADÉ (≥ 16 ms par image)"); \
		printf "    %-40s %12.3f ms %12s o %10s allocations%s%s\n", $$1, ms, b, allocs, verdict, extra; \
		n++ } \
		END { if (!n) print "  aucune mesure" }' $(BENCH)

## lint: gofmt, go vet and staticcheck must all be silent
lint: tools
	@unformatted=$$(gofmt -l .); \
	if [[ -n "$$unformatted" ]]; then echo "Fichiers à formater avec gofmt -w :"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	staticcheck ./...

## package: a Linux desktop bundle (binary, icon, .desktop file) in dist/
package: release
	@$(call apt_install,$(PACKAGE_PKGS))
	@mkdir -p dist
	saved=$$(mktemp); cp FyneApp.toml "$$saved"; \
	trap 'cp "$$saved" FyneApp.toml; rm -f "$$saved"' EXIT; \
	$(FYNE) package -os linux --executable bin/release/convive; \
	mv Convive.tar.xz dist/convive-$(VERSION)-linux-$$($(GO) env GOARCH).tar.xz
	@ls -l dist/

## screenshot: docs/screenshot.png, the Utilisateurs screen on a demo database
screenshot: build test-deps
	docs/screenshot.sh $(BIN) docs/screenshot.png

clean:
	rm -rf bin dist
