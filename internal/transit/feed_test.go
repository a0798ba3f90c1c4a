package transit

import (
	"archive/zip"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/socle/socle/internal/errs"
)

func openFile(t *testing.T, path string) *Archive {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenArchive(bytes.NewReader(b), int64(len(b)), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// makeZip builds an archive of name → content, deflated.
func makeZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(body))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// minimal is a small valid feed.
func minimal() map[string]string {
	return map[string]string{
		"agency.txt":     "agency_name,agency_url,agency_timezone\nTAM,http://x,Europe/Paris\n",
		"stops.txt":      "stop_id,stop_name,stop_lat,stop_lon\nS1,Gare,43.6,3.88\nS2,Place,43.61,3.87\n",
		"routes.txt":     "route_id,route_short_name,route_type\nR1,1,0\n",
		"trips.txt":      "route_id,service_id,trip_id,trip_headsign\nR1,SEM,T1,Odysseum\n",
		"calendar.txt":   "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nSEM,1,1,1,1,1,0,0,20260101,20261231\n",
		"stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\n",
	}
}

func parseFiles(t testing.TB, files map[string]string) (*Feed, error) {
	b := makeZip(t, files)
	a, err := OpenArchive(bytes.NewReader(b), int64(len(b)), DefaultLimits)
	if err != nil {
		return nil, err
	}
	return Parse(a)
}

func TestParseSampleFeeds(t *testing.T) {
	for _, tc := range []struct {
		file                        string
		stops, routes, trips, times int
		tz                          string
	}{
		{"testdata/sample-feed-1.zip", 9, 5, 11, 28, "America/Los_Angeles"},
		{"testdata/bullrunner-gtfs.zip", 125, 6, 15, 473, "America/New_York"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := Parse(openFile(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Stops) != tc.stops || len(f.Routes) != tc.routes || len(f.Trips) != tc.trips || f.StopTimes != int64(tc.times) {
				t.Errorf("stops %d routes %d trips %d stop times %d, want %d %d %d %d",
					len(f.Stops), len(f.Routes), len(f.Trips), f.StopTimes, tc.stops, tc.routes, tc.trips, tc.times)
			}
			if f.Timezone != tc.tz {
				t.Errorf("timezone %q, want %q", f.Timezone, tc.tz)
			}
			tt := f.TimetableRows()
			defer tt.Close()
			n := 0
			for {
				row, err := tt.Next()
				if err != nil {
					break
				}
				if len(row) != len(TimetableFields) {
					t.Fatalf("row of %d values for %d fields", len(row), len(TimetableFields))
				}
				n++
			}
			if n != tc.times {
				t.Errorf("%d timetable rows, want %d", n, tc.times)
			}
		})
	}
}

func TestTimetableRow(t *testing.T) {
	f, err := Parse(openFile(t, "testdata/sample-feed-1.zip"))
	if err != nil {
		t.Fatal(err)
	}
	tt := f.TimetableRows()
	defer tt.Close()
	for {
		row, err := tt.Next()
		if err != nil {
			t.Fatal("AB1 at BULLFROG not found:", err)
		}
		if row[0] == "AB1" && row[10] == "BULLFROG" {
			// 8:10:00 arrival, 8:15:00 departure, leading zero added.
			want := []any{"AB1", "AB", "10", "to Bullfrog", int64(0), "FULLW", "lun,mar,mer,jeu,ven,sam,dim"}
			for i, w := range want {
				if row[i] != w {
					t.Errorf("value %d (%s) = %v, want %v", i, TimetableFields[i].Name, row[i], w)
				}
			}
			if row[12] != "08:10:00" || row[13] != "08:15:00" || row[14] != int64(8*3600+15*60) {
				t.Errorf("times %v %v %v", row[12], row[13], row[14])
			}
			return
		}
	}
}

func TestBadFeeds(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		change     func(map[string]string)
	}{
		{"missing stops", "stops.txt", func(m map[string]string) { delete(m, "stops.txt") }},
		{"missing stop_times", "stop_times.txt", func(m map[string]string) { delete(m, "stop_times.txt") }},
		{"missing agency", "agency.txt", func(m map[string]string) { delete(m, "agency.txt") }},
		{"missing column", "trips.txt has no trip_id column", func(m map[string]string) { m["trips.txt"] = "route_id,service_id\nR1,SEM\n" }},
		{"bad sequence", "stop_times.txt line 4: stop_sequence", func(m map[string]string) { m["stop_times.txt"] += "T1,08:20:00,08:20:00,S1,x\n" }},
		{"bad time", "stop_times.txt line 2: arrival_time", func(m map[string]string) {
			m["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,8h00,08:00:00,S1,1\n"
		}},
		{"unknown stop", `stop_times.txt line 2: stop_id "S9"`, func(m map[string]string) {
			m["stop_times.txt"] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\nT1,08:00:00,08:00:00,S9,1\n"
		}},
		{"unknown route", "trips.txt line 2: route_id", func(m map[string]string) { m["trips.txt"] = "route_id,service_id,trip_id\nR9,SEM,T1\n" }},
		{"bad position", "stops.txt line 4", func(m map[string]string) { m["stops.txt"] += "S3,Loin,91,3\n" }},
		{"too many values", "stops.txt line 2: 5 values for 4 columns", func(m map[string]string) {
			m["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nS1,Gare,43.6,3.88,x\nS2,Place,43.61,3.87\n"
		}},
		{"bad quote", "stops.txt line 2", func(m map[string]string) {
			m["stops.txt"] = "stop_id,stop_name,stop_lat,stop_lon\nS1,\"Ga\"re,43.6,3.88\nS2,Place,43.61,3.87\n"
		}},
		{"bad timezone", "agency_timezone", func(m map[string]string) {
			m["agency.txt"] = "agency_name,agency_url,agency_timezone\nTAM,http://x,Mars/Olympus\n"
		}},
		{"duplicate stop", `stop_id "S1" appears twice`, func(m map[string]string) { m["stops.txt"] += "S1,Bis,43.6,3.88\n" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := minimal()
			tc.change(files)
			_, err := parseFiles(t, files)
			if !errs.Is(err, errs.Invalid) || !strings.Contains(errs.Message(err), tc.want) {
				t.Fatalf("error %v, want Invalid naming %q", err, tc.want)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		f, err := parseFiles(t, minimal())
		if err != nil || f.StopTimes != 2 {
			t.Fatalf("%v, %v", f, err)
		}
	})
	t.Run("in a folder, with a BOM", func(t *testing.T) {
		files := map[string]string{}
		for k, v := range minimal() {
			files["feed/"+k] = "\ufeff" + v
		}
		if _, err := parseFiles(t, files); err != nil {
			t.Fatal(err)
		}
	})
}

func TestZipBombs(t *testing.T) {
	small := Limits{MaxEntries: 10, MaxEntryBytes: 8 << 20, MaxTotalBytes: 12 << 20, MaxRatio: 100}
	zeros := strings.Repeat("0", 4<<20) // compresses about 1000 times
	text := func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			b.WriteString("T1,08:00:00,08:00:00,S1,")
			b.WriteString(strings.Repeat("7", i%13+1))
			b.WriteString("\n")
		}
		return b.String()
	}
	many := map[string]string{}
	for i := range 11 {
		many[strings.Repeat("x", i+1)+".txt"] = "a\n"
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"compression ratio", map[string]string{"stop_times.txt": zeros}, "compressed more than 100 times"},
		{"entry count", many, "11 entries"},
		{"entry size", map[string]string{"stop_times.txt": text(9 << 20)}, "at most 8388608"},
		{"total size", map[string]string{"a.txt": text(7 << 20), "b.txt": text(7 << 20)}, "more than 12582912 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := makeZip(t, tc.files)
			_, err := OpenArchive(bytes.NewReader(b), int64(len(b)), small)
			if !errs.Is(err, errs.TooLarge) || !strings.Contains(errs.Message(err), tc.want) {
				t.Fatalf("error %v, want TooLarge with %q", err, tc.want)
			}
		})
	}
	t.Run("not a zip", func(t *testing.T) {
		if _, err := OpenArchive(strings.NewReader("hello"), 5, small); !errs.Is(err, errs.Invalid) {
			t.Fatalf("error %v, want Invalid", err)
		}
	})
}

func TestLyingDirectory(t *testing.T) {
	// An entry stored with a declared size smaller than its content: the
	// reader stops at the declared size instead of trusting the data.
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	body := []byte("stop_id\nS1\nS2\nS3\n")
	hdr := &zip.FileHeader{Name: "stops.txt", Method: zip.Store}
	f, _ := w.CreateRaw(&zip.FileHeader{Name: hdr.Name, Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: 8})
	f.Write(body)
	w.Close()
	a, err := OpenArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	err = eachRow(a, "stops.txt", nil, 100, func(*Table) error { return nil })
	if err == nil {
		t.Fatal("an entry larger than declared was read whole")
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"6:00:00", 6 * 3600, false},
		{"08:15:30", 8*3600 + 15*60 + 30, false},
		{"25:01:00", 25*3600 + 60, false},
		{"", -1, false},
		{"8:00", 0, true},
		{"08:60:00", 0, true},
		{"-1:00:00", 0, true},
	} {
		got, err := ParseTime(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
			t.Errorf("ParseTime(%q) = %d, %v", tc.in, got, err)
		}
	}
	if s := FormatTime(25*3600 + 61); s != "25:01:01" {
		t.Errorf("FormatTime = %q", s)
	}
}

func FuzzTable(f *testing.F) {
	f.Add([]byte("stop_id,stop_name\nS1,Gare\n"))
	f.Add([]byte("\ufeffa, b\r\n\"x\"\"\",2\r\n"))
	f.Add([]byte("a\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := newTable("x.txt", nopCloser{bytes.NewReader(b)})
		if err != nil {
			if errs.KindOf(err) == errs.Internal {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		for i := 0; i < 1000; i++ {
			if err := tb.Next(); err != nil {
				if err.Error() != "EOF" && errs.KindOf(err) == errs.Internal {
					t.Fatalf("unclassified error %v", err)
				}
				return
			}
			_ = tb.Get("a")
		}
	})
}

func FuzzFeed(f *testing.F) {
	f.Add(makeZip(f, minimal()))
	b, _ := os.ReadFile("testdata/sample-feed-1.zip")
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := Limits{MaxEntries: 20, MaxEntryBytes: 1 << 20, MaxTotalBytes: 2 << 20, MaxRatio: 100}
		a, err := OpenArchive(bytes.NewReader(b), int64(len(b)), lim)
		if err != nil {
			return
		}
		feed, err := Parse(a)
		if err != nil {
			if errs.KindOf(err) == errs.Internal {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		tt := feed.TimetableRows()
		defer tt.Close()
		for {
			if _, err := tt.Next(); err != nil {
				return
			}
		}
	})
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
