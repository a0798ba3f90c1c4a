package demo

import (
	"testing"

	"github.com/socle/socle/internal/dtpr"
)

func TestEveryDemoDeviceHasAValidDatachainAndTheSquareShowsEachColour(t *testing.T) {
	tr := New()
	for _, d := range append(tr.Devices(), tr.SquareDevices()...) {
		c := tr.Datachain(d)
		if c == nil {
			t.Fatalf("device %s has no datachain", d.ID)
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("device %s: %v", d.ID, err)
		}
		if d.Domain != "mobility" && d.Domain != "other" && c.Colour() != dtpr.White {
			t.Errorf("device %s is %s, want white", d.ID, c.Colour())
		}
	}
	sq := tr.SquareDevices()
	if tr.Datachain(sq[0]).Colour() != dtpr.Blue || tr.Datachain(sq[1]).Colour() != dtpr.Yellow {
		t.Fatal("the square's sensors should be blue and yellow")
	}
}

func TestTheSquareDeploymentIsValidAndYellow(t *testing.T) {
	d := New().SquareDeployment()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Chain.Colour() != dtpr.Yellow || len(d.Devices) != 2 {
		t.Fatalf("colour %s, %d devices", d.Chain.Colour(), len(d.Devices))
	}
}
