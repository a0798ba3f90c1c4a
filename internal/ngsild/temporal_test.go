package ngsild

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/socle/socle/internal/errs"
	"github.com/socle/socle/internal/sensors"
)

func TestTemporalAggregates(t *testing.T) {
	e := testEntity(t)
	t0 := time.Date(2025, 1, 1, 10, 0, 0, 0, time.UTC)
	var obs []sensors.Observation
	for i, v := range []float64{1, 2, 3, 10, 20} { // 10:00, 10:20, 10:40, 11:00, 11:20
		obs = append(obs, sensors.Observation{Device: "d", Property: "fillingLevel", Time: t0.Add(time.Duration(i) * 20 * time.Minute), Value: v})
	}
	obs = append(obs, sensors.Observation{Property: "fillingLevel", Time: t0.Add(5 * time.Minute), Value: 999, Flag: sensors.FlagOutOfRange})
	v := url.Values{"timerel": {"between"}, "timeAt": {"2025-01-01T10:00:00Z"}, "endTimeAt": {"2025-01-01T12:00:00Z"},
		"aggrMethods": {"totalCount,avg,max,stddev"}, "aggrPeriodDuration": {"PT1H"}}
	tq, err := ParseTemporal(v.Get, []string{"aggregatedValues"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewContext("https://smartdatamodels.org/context.jsonld")
	got, _ := json.Marshal(Temporal(e, obs, tq, c)["fillingLevel"])
	want := `{"avg":[[2,"2025-01-01T10:00:00.000Z","2025-01-01T11:00:00.000Z"],[15,"2025-01-01T11:00:00.000Z","2025-01-01T12:00:00.000Z"]],` +
		`"max":[[3,"2025-01-01T10:00:00.000Z","2025-01-01T11:00:00.000Z"],[20,"2025-01-01T11:00:00.000Z","2025-01-01T12:00:00.000Z"]],` +
		`"stddev":[[0.8164965809277263,"2025-01-01T10:00:00.000Z","2025-01-01T11:00:00.000Z"],[5,"2025-01-01T11:00:00.000Z","2025-01-01T12:00:00.000Z"]],` +
		`"totalCount":[[3,"2025-01-01T10:00:00.000Z","2025-01-01T11:00:00.000Z"],[2,"2025-01-01T11:00:00.000Z","2025-01-01T12:00:00.000Z"]],"type":"Property"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	tq, _ = ParseTemporal(url.Values{"lastN": {"2"}}.Get, []string{"temporalValues"})
	got, _ = json.Marshal(Temporal(e, obs[:5], tq, c)["fillingLevel"])
	if string(got) != `{"type":"Property","values":[[10,"2025-01-01T11:00:00.000Z"],[20,"2025-01-01T11:20:00.000Z"]]}` {
		t.Errorf("lastN: %s", got)
	}
}

func TestParseTemporalRefuses(t *testing.T) {
	for name, v := range map[string]url.Values{
		"timerel without timeAt": {"timerel": {"after"}},
		"between without end":    {"timerel": {"between"}, "timeAt": {"2025-01-01T00:00:00Z"}},
		"bad time":               {"timerel": {"after"}, "timeAt": {"yesterday"}},
		"bad lastN":              {"lastN": {"0"}},
		"unknown method":         {"aggrMethods": {"median"}},
		"month period":           {"aggrMethods": {"avg"}, "aggrPeriodDuration": {"P1M"}},
		"unknown timerel":        {"timerel": {"around"}, "timeAt": {"2025-01-01T00:00:00Z"}},
		"other time property":    {"timeproperty": {"modifiedAt"}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseTemporal(v.Get, []string{"aggregatedValues"}); !errs.Is(err, errs.Invalid) {
				t.Fatalf("got %v", err)
			}
		})
	}
}
