package storetest

import (
	"testing"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/registers"
)

// runRegisters runs the conformance tests of registers.Store.
func runRegisters(t *testing.T, fresh func(t *testing.T) Store) {
	t.Run("register entries (activities, algorithms, contracts) are put, replaced with their creation time kept, listed by ID and deleted", func(t *testing.T) {
		testRegisters(t, fresh(t))
	})
}

func testRegisters(t *testing.T, s Store) {
	t1, t2 := ts("2026-01-05T10:00:00Z"), ts("2026-03-01T08:30:00Z")
	capteurs := &registers.Processing{ID: "capteurs-espace-public", Name: "Capteurs de l'espace public", Controller: "Métropole",
		DPO: "dpo@example.org", Purposes: []string{"Gestion des réseaux", "Information du public"}, LegalBasis: "Art. 6(1)(e)",
		DataSubjects: []string{"Usagers de l'espace public"}, DataCategories: []string{"Données de localisation"},
		Retention: "30 jours", Recipients: []string{"Service de l'eau"}, Security: []string{"Contrôle d'accès", "Journalisation"},
		Datasets: []string{"comptages"}, DeviceDomains: []string{"mobility"}, Confidential: "notes internes", Updated: t1}
	avis := &registers.Processing{ID: "avis-citoyens", Name: "Avis des habitants", Controller: "Métropole", DPO: "dpo@example.org",
		Purposes: []string{"Recueil des avis"}, LegalBasis: "Art. 6(1)(e)", DataSubjects: []string{"Habitants"},
		DataCategories: []string{"Commentaires"}, Retention: "1 an", Recipients: []string{"Service communication"},
		Security: []string{"Modération"}, Updated: t1}
	for _, p := range []*registers.Processing{capteurs, avis} {
		must(t, s.PutProcessing(ctx, p))
		if !p.Created.Equal(t1) {
			t.Errorf("%s created %v, want %v", p.ID, p.Created, t1)
		}
	}
	// A replace keeps the creation time.
	changed := *capteurs
	changed.Retention, changed.Updated = "15 jours", t2
	must(t, s.PutProcessing(ctx, &changed))
	got, err := s.Processing(ctx, "capteurs-espace-public")
	must(t, err)
	if got.Retention != "15 jours" || !got.Created.Equal(t1) || !got.Updated.Equal(t2) || got.Confidential != "notes internes" ||
		len(got.Security) != 2 || got.DeviceDomains[0] != "mobility" {
		t.Errorf("replaced processing %+v", got)
	}
	list, err := s.Processings(ctx)
	must(t, err)
	if len(list) != 2 || list[0].ID != "avis-citoyens" || list[1].ID != "capteurs-espace-public" || !list[1].Created.Equal(t1) {
		t.Errorf("processings %+v", list)
	}

	fuite := &registers.Algorithm{ID: "detection-fuites", Name: "Détection des fuites", Service: "Eau", Contact: "eau@example.org",
		Purpose: "Repérer les fuites", DecisionStep: "Alerte avant intervention", Automation: registers.AutomationSupport,
		LegalBasis: "CGCT", Data: []string{"Débits de nuit"}, Method: "règles", Operations: "Médiane des nuits",
		HumanOversight: "Un agent confirme", PlatformFunction: true, Updated: t2}
	must(t, s.PutAlgorithm(ctx, fuite))
	a, err := s.Algorithm(ctx, "detection-fuites")
	must(t, err)
	if a.Name != fuite.Name || !a.PlatformFunction || !a.Updated.Equal(t2) {
		t.Errorf("algorithm %+v", a)
	}
	// The two registers are apart: an algorithm is not an activity.
	_, err = s.Processing(ctx, "detection-fuites")
	wantKind(t, err, errs.NotFound)
	as, err := s.Algorithms(ctx)
	must(t, err)
	if len(as) != 1 {
		t.Errorf("%d algorithms, want 1", len(as))
	}

	must(t, s.DeleteProcessing(ctx, "avis-citoyens"))
	wantKind(t, s.DeleteProcessing(ctx, "avis-citoyens"), errs.NotFound)
	wantKind(t, s.DeleteAlgorithm(ctx, "absent"), errs.NotFound)
	must(t, s.DeleteAlgorithm(ctx, "detection-fuites"))

	c := &registers.Contract{ID: "parkings", Delegate: "exploitant", Service: "Stationnement", Start: t1, End: t2,
		Clauses: []registers.Clause{{Dataset: "parkings", FrequencyDays: 7, Format: "CSV"}}, Confidential: "pénalités", Updated: t1}
	must(t, s.PutContract(ctx, c))
	gc, err := s.Contract(ctx, "parkings")
	must(t, err)
	if gc.Delegate != "exploitant" || len(gc.Clauses) != 1 || gc.Clauses[0].FrequencyDays != 7 || !gc.End.Equal(t2) || gc.Confidential != "pénalités" {
		t.Errorf("contract %+v", gc)
	}
	if cs, err := s.Contracts(ctx); err != nil || len(cs) != 1 {
		t.Errorf("contracts %v, %v", cs, err)
	}
	_, err = s.Algorithm(ctx, "parkings")
	wantKind(t, err, errs.NotFound)
	must(t, s.DeleteContract(ctx, "parkings"))
	wantKind(t, s.DeleteContract(ctx, "parkings"), errs.NotFound)
	if as, _ := s.Algorithms(ctx); len(as) != 0 {
		t.Errorf("algorithms after delete: %d", len(as))
	}
}
