package migration

import (
	"testing"
	"testing/fstest"
)

func TestRead(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_outbox.sql": {Data: []byte("CREATE TABLE b();")},
		"m/0001_init.sql":   {Data: []byte("CREATE TABLE a();")},
		"m/0010_late.sql":   {Data: []byte("CREATE TABLE c();")},
	}
	got, err := Read(fsys, "m", "test store")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Version != 1 || got[1].Version != 2 || got[2].Version != 10 || got[0].SQL != "CREATE TABLE a();" {
		t.Fatalf("Read = %+v", got)
	}
	for name, bad := range map[string]fstest.MapFS{
		"no number":      {"m/init.sql": {}},
		"zero":           {"m/0000_x.sql": {}},
		"not sql":        {"m/0001_x.txt": {}},
		"shared version": {"m/0001_a.sql": {}, "m/01_b.sql": {}},
	} {
		if _, err := Read(bad, "m", "test store"); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
