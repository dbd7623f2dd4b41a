package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"convive/core"
)

// Realistic French names, accents included, for filling big test databases.
var (
	fillFirst = strings.Fields(`Jean Marie Pierre Michel André Philippe René Louis Alain Jacques Bernard Marcel
		Daniel Roger Robert Paul Claude Christian Henri Georges Nicolas François Patrick Gérard Christophe
		Joseph Julien Maurice Laurent Frédéric Éric Thierry Stéphane Pascal David Sébastien Raymond Olivier
		Léa Chloé Emma Manon Camille Inès Jade Louise Zoé Lina Anaïs Clémence Mathilde Élodie Hélène Agnès
		Gaëlle Noémie Océane Maëlle Françoise Monique Catherine Nathalie Isabelle Sylvie Anne Martine Céline
		Aurélie Sophie Valérie Sandrine Véronique Christine Brigitte Émilie Joëlle Loïc Hervé Jérôme Théo
		Noël Gaël Mathéo Maël Clément Benoît Aurélien Cédric Jérémy Rémi Timothée Ève Bérénice Adèle`)
	fillLast = strings.Fields(`Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel
		Lefèvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent
		Müller Lefebvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier
		Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval Denis
		Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun Blanchard Giraud Joly Rivière Lucas Brunet Gaillard
		Barbier Arnaud Martinez Gérard Roche Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre
		Aubert Lemoine Renaud Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland
		Leclercq Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin
		Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier Marty Aubry
		Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly Hervé Schneider Fernandez
		Le Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel Le Roux Cousin Germain Breton Besson
		Langlois Rémy Le Goff Pelletier Lévêque Perrier Leblanc Barré Lebrun Marchal Weber Mallet Hamon
		Boulanger Jacob Monnier Michaud Rodriguez Guichard Gillet Étienne Grondin Poulain Tessier Chevallier
		Collin Chauvin Da Silva Bouchet Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret
		Barthélemy Cordier Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte Œuvrard Cœurdacier
		Lefèvre-Pontalis Désiré Thébault Hébert Bégué Aubé Évrard Ébrard`)
	fillDomains = []string{"gmail.com", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr", "exemple.fr"}
)

// FillUsers adds n users with French names spread over about 50 subgroups, in one
// transaction through prepared statements, as fast as the real rows can be written.
func FillUsers(s *Store, n int) error {
	ctx := context.Background()
	regions := []string{"Nord", "Sud", "Est", "Ouest", "Île-de-France", "Outre-mer", "Centre"}
	services := []string{"Ventes", "Achats", "Comptabilité", "Ressources humaines", "Informatique", "Logistique", "Qualité"}
	var groupIDs []int64
	for _, sv := range services {
		for _, r := range regions {
			g, err := s.EnsureGroupPath(ctx, sv+"/Région "+r)
			if err != nil {
				return err
			}
			groupIDs = append(groupIDs, g.ID)
		}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		ins, err := newUserInserter(ctx, tx)
		if err != nil {
			return err
		}
		defer ins.Close()
		mem, err := tx.PrepareContext(ctx, `INSERT INTO memberships (group_id, user_id, added) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
		if err != nil {
			return err
		}
		defer mem.Close()
		at := now()
		for i := range n {
			// A stride prime to both lists keeps the pairs varied.
			first := fillFirst[(i*7)%len(fillFirst)]
			last := fillLast[(i*13+i/len(fillFirst))%len(fillLast)]
			local := strings.ToLower(core.Fold(strings.ReplaceAll(first+"."+last, " ", "-")))
			addr, err := core.ParseAddress(fmt.Sprintf("%s%d@%s", local, i, fillDomains[i%len(fillDomains)]))
			if err != nil {
				return err
			}
			lang, status := core.LangFR, core.StatusActive
			if i%10 == 0 {
				lang = core.LangEN
			}
			if i%7 == 0 {
				status = core.StatusInvited
			}
			created := at - int64(n-i)*60_000
			id, err := ins.insert(ctx, userRow{addr: addr, first: first, last: last, language: lang,
				role: core.RoleLearner, status: status, created: created})
			if err != nil {
				return err
			}
			if _, err := mem.ExecContext(ctx, groupIDs[i%len(groupIDs)], id, created); err != nil {
				return err
			}
			if i%5 == 0 {
				if _, err := mem.ExecContext(ctx, groupIDs[(i/5)%len(groupIDs)], id, created); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
