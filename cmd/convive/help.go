package main

import (
	"fmt"
	"strings"

	"convive/core/sqlite"
)

// The help texts, printed by --help on each command. "@DEFAULT@" stands for the default
// database file of this machine; french() adds the no-break spaces.
const (
	helpMain = `Convive prépare l'arrivée des apprenants sur votre plateforme de formation :
utilisateurs, groupes, invitations et e-mails.

Utilisation :
  convive [--db FICHIER]                        ouvre la fenêtre de Convive
  convive [--db FICHIER] COMMANDE [OPTIONS]     travaille sur la même base, sans fenêtre

Commandes :
  groups add CHEMIN     crée un sous-groupe et les groupes parents qui manquent
  groups list           liste le Groupe général et ses sous-groupes
  users add E-MAIL      paramètre un compte (crée l'utilisateur tout de suite)
  users list            liste les utilisateurs, avec recherche et filtre par groupe
  users set-email       modifie l'adresse d'un utilisateur (ou de son invitation)
  users reset-password  prépare un e-mail de réinitialisation du mot de passe
  invite E-MAIL...      invite par e-mail (une invitation et un e-mail chacun)
  provision E-MAIL      paramètre un compte, avec un e-mail de bienvenue si besoin
  invitations           liste les invitations en attente, acceptées ou annulées
  cancel E-MAIL...      annule des invitations et leurs e-mails en attente
  accept E-MAIL...      marque des invitations acceptées (liste de la plateforme)
  courses add|list|rename|delete
                        gère les parcours
  sessions add|list|enrol|move|rename|remove|delete
                        gère les sessions des parcours et leurs apprenants
  platform              affiche ou règle le nom et l'adresse web de la plateforme
  import FICHIER        paramètre plusieurs comptes depuis un tableur (.xlsx, .csv)
  template FICHIER      écrit le modèle de fichier d'import (.xlsx ou .csv)
  smtp set|show|test    règle et teste le serveur d'envoi des e-mails
  outbox                liste la boîte d'envoi ; resend, mark-sent, cancel, recipient
  send                  envoie les e-mails arrivés à échéance
  version               affiche la version de Convive
  help [COMMANDE]       affiche l'aide d'une commande

Options :
  --db FICHIER          base de données à utiliser. Sans cette option : le fichier
                        indiqué par la variable d'environnement CONVIVE_DB, sinon
                        @DEFAULT@
  --version             affiche la version de Convive
  -h, --help            affiche cette aide

Exemples :
  convive groups add "Ventes/Région Sud"
  convive users add jean.dupont@example.com --first-name Jean --last-name Dupont --group "Ventes/Région Sud"
  convive users list --search lefevre
  convive --db ~/essai.db users list --format csv > utilisateurs.csv

Chaque commande a son aide : convive users add --help
En cas d'erreur, le message est écrit sur la sortie d'erreur et le code de retour
est 1 (échec) ou 2 (ligne de commande incorrecte).
`

	helpGroups = `Gère les groupes : le Groupe général, qui représente votre organisation, et ses
sous-groupes, sur autant de niveaux que vous voulez.

Utilisation :
  convive [--db FICHIER] groups add CHEMIN
  convive [--db FICHIER] groups list [--format table|csv|json]

Aide de chaque action : convive groups add --help, convive groups list --help
`

	helpGroupsAdd = `Crée le sous-groupe CHEMIN sous le Groupe général, ainsi que les groupes parents
qui manquent. Les niveaux sont séparés par « / ». Les majuscules et les accents ne
comptent pas pour reconnaître un groupe existant ; si le groupe existe déjà, rien
n'est modifié.

Utilisation :
  convive [--db FICHIER] groups add CHEMIN

Options :
  --db FICHIER   base de données à utiliser (voir convive --help)

Exemples :
  convive groups add Ventes
  convive groups add "Ventes/Région Sud"          crée « Ventes » s'il manque
`

	helpGroupsList = `Liste le Groupe général et tous ses sous-groupes, dans l'ordre de l'arbre, avec
le nombre de membres directs de chacun.

Utilisation :
  convive [--db FICHIER] groups list [--format table|csv|json]

Options :
  --format FORMAT   table : colonnes alignées, à lire (par défaut)
                    csv : pour un tableur, une ligne d'en-tête
                    json : une liste d'objets, pour un script
                    Les colonnes csv et json sont : id, parent_id, name, path,
                    depth, members.
  --db FICHIER      base de données à utiliser (voir convive --help)

Exemples :
  convive groups list
  convive groups list --format json
`

	helpUsers = `Gère les utilisateurs : les personnes qui ont (ou auront) un identifiant sur la
plateforme.

Utilisation :
  convive [--db FICHIER] users add E-MAIL --first-name PRÉNOM --last-name NOM [--group CHEMIN]...
  convive [--db FICHIER] users list [--group CHEMIN] [--search TEXTE] [--format table|csv|json]
  convive [--db FICHIER] users set-email ANCIENNE NOUVELLE
  convive [--db FICHIER] users reset-password E-MAIL

Aide de chaque action : convive users add --help, convive users list --help,
convive users set-email --help, convive users reset-password --help
`

	helpUsersAdd = `Paramètre un compte : crée l'utilisateur tout de suite, actif, sans invitation.
Il fait partie du Groupe général et des groupes donnés avec --group.
L'adresse e-mail devient son identifiant ; un alias « # » est accepté
(jean.dupont#formation@example.com reçoit ses e-mails à jean.dupont@example.com).

Utilisation :
  convive [--db FICHIER] users add E-MAIL --first-name PRÉNOM --last-name NOM [OPTIONS]

Options :
  --first-name PRÉNOM   prénom (obligatoire)
  --last-name NOM       nom (obligatoire)
  --group CHEMIN        sous-groupe dont l'utilisateur fait partie ; répétez l'option
                        pour plusieurs groupes. Le groupe doit déjà exister : un groupe
                        inconnu est refusé (pour qu'une faute de frappe ne crée pas de
                        groupe). Créez-le d'abord avec convive groups add CHEMIN.
  --language LANGUE     langue de ses e-mails et de la plateforme : fr (par défaut) ou en
  --role RÔLE           apprenant (par défaut), formateur ou administrateur
  --db FICHIER          base de données à utiliser (voir convive --help)

Exemples :
  convive users add jean.dupont@example.com --first-name Jean --last-name Dupont
  convive users add anne.lefevre@example.com --first-name Anne --last-name Lefèvre \
      --group "Ventes/Région Sud" --group Formateurs --role formateur
`

	helpUsersList = `Liste les utilisateurs, triés par nom puis prénom dans l'ordre alphabétique
français.

Utilisation :
  convive [--db FICHIER] users list [--group CHEMIN] [--search TEXTE] [--format table|csv|json]

Options :
  --group CHEMIN    seulement les membres directs de ce groupe
  --search TEXTE    seulement les utilisateurs dont l'identifiant, le prénom ou le nom
                    contient TEXTE, sans tenir compte des majuscules ni des accents
                    (« lefevre » trouve « Lefèvre »)
  --format FORMAT   table : colonnes alignées, dates au format 25/11/2026 14:05 (par défaut)
                    csv : pour un tableur, une ligne d'en-tête ; une cellule qui
                    commencerait par = + - @ est précédée d'une apostrophe
                    json : une liste d'objets, dates au format RFC 3339
                    Les colonnes csv et json sont : id, login, email, first_name,
                    last_name, language, role, status, groups, created, updated.
  --db FICHIER      base de données à utiliser (voir convive --help)

Exemples :
  convive users list --search lefevre
  convive users list --group "Ventes/Région Sud" --format csv > region-sud.csv
  convive users list --format json
`

	helpVersion = `Affiche la version de Convive.

Utilisation :
  convive version
`
)

// help prints text on stdout and returns exitOK.
func (c *cli) help(text string) int {
	def, err := sqlite.DefaultPath()
	if err != nil {
		def = "le dossier de configuration de votre compte"
	}
	fmt.Fprint(c.stdout, french(strings.ReplaceAll(text, "@DEFAULT@", def)))
	return exitOK
}

// helpTopic runs "convive help [COMMAND [ACTION]]".
func (c *cli) helpTopic(args []string) int {
	switch strings.Join(args, " ") {
	case "":
		return c.help(helpMain)
	case "groups", "group":
		return c.help(helpGroups)
	case "groups add", "group add":
		return c.help(helpGroupsAdd)
	case "groups list", "group list", "groups ls":
		return c.help(helpGroupsList)
	case "users", "user":
		return c.help(helpUsers)
	case "users add", "user add":
		return c.help(helpUsersAdd)
	case "users list", "user list", "users ls":
		return c.help(helpUsersList)
	case "version":
		return c.help(helpVersion)
	case "import":
		return c.help(helpImport)
	case "template":
		return c.help(helpTemplate)
	}
	if text, ok := outboxHelp(args); ok {
		return c.help(text)
	}
	if text, ok := invitationHelp(args); ok {
		return c.help(text)
	}
	return c.usageError(userErrorf("Il n'y a pas d'aide pour « %s » : cette commande n'existe pas.", strings.Join(args, " ")), "convive")
}
