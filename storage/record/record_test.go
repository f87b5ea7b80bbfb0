package record_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"pipelinecoach/coach"
	"pipelinecoach/storage/record"
)

// storedTypes are the types the stores keep through record.
var storedTypes = []any{coach.Prospect{}, coach.Team{}, coach.Member{}, coach.CalendarSync{}}

// Every stored type, with every field set, with none set and with its
// slices and maps empty, reads back from what encoding/json wrote as
// encoding/json reads it: written again, the bytes are the same.
func TestDecodeReadsWhatEncodingJSONWrites(t *testing.T) {
	for _, typ := range storedTypes {
		rt := reflect.TypeOf(typ)
		for _, shape := range []string{"every field", "zero", "empty slices and maps"} {
			t.Run(rt.Name()+"/"+shape, func(t *testing.T) {
				v := reflect.New(rt).Elem()
				switch shape {
				case "every field":
					fill(v, 1, false)
				case "empty slices and maps":
					fill(v, 1, true)
				}
				raw, err := record.Encode(v.Interface())
				if err != nil {
					t.Fatal(err)
				}
				viaV1 := reflect.New(rt)
				if err := json.Unmarshal(raw, viaV1.Interface()); err != nil {
					t.Fatal(err)
				}
				viaRecord := reflect.New(rt)
				if err := record.Decode(raw, viaRecord.Interface()); err != nil {
					t.Fatalf("Decode: %v\n%s", err, raw)
				}
				again, err := record.Encode(viaRecord.Elem().Interface())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again, raw) {
					t.Errorf("read back and written again, it differs:\n got %s\nwant %s", again, raw)
				}
				againV1, _ := json.Marshal(viaV1.Elem().Interface())
				if !bytes.Equal(again, againV1) {
					t.Errorf("reads otherwise than encoding/json:\n got %s\nwant %s", again, againV1)
				}
			})
		}
	}
}

// DecodeString reads the string's bytes where they lie: it must neither
// change them nor keep any of them in what it decodes. The record's
// strings carry escapes, which an unescaping in place would write over.
func TestDecodeStringNeitherChangesNorKeepsItsInput(t *testing.T) {
	for _, typ := range storedTypes {
		rt := reflect.TypeOf(typ)
		t.Run(rt.Name(), func(t *testing.T) {
			v := reflect.New(rt).Elem()
			fill(v, 1, false)
			raw, err := record.Encode(v.Interface())
			if err != nil {
				t.Fatal(err)
			}
			buf := bytes.Clone(raw)
			got := reflect.New(rt)
			if err := record.DecodeString(unsafe.String(&buf[0], len(buf)), got.Interface()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf, raw) {
				t.Fatalf("DecodeString changed its input:\n%s\nwas\n%s", buf, raw)
			}
			for i := range buf {
				buf[i] = 'x'
			}
			again, err := record.Encode(got.Elem().Interface())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, raw) {
				t.Errorf("what DecodeString read changed with its input:\n%s\nwant\n%s", again, raw)
			}
		})
	}
}

// A record that is not JSON is an error, not a zero value.
func TestDecodeRefusesBrokenRecord(t *testing.T) {
	for _, raw := range []string{"", "{", `{"id": 7}`, "null x"} {
		var p coach.Prospect
		if err := record.DecodeString(raw, &p); err == nil {
			t.Errorf("Decode(%q) = nil error", raw)
		}
	}
}

// fill sets every exported field of v to a value that is not zero (n makes
// them differ), or, with empty, its slices and maps to empty ones.
func fill(v reflect.Value, n int, empty bool) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		zone := time.FixedZone("", (n%5-2)*3600+1800)
		v.Set(reflect.ValueOf(time.Date(2031, time.March, n%28+1, 10, 30, n, 123456789+n, zone)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d \"quoted\" <b>&</b>\nünïcode — 日本", n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n%100 + 1))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n%100 + 1))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n) + 0.25)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n+1, empty)
	case reflect.Slice:
		if empty {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n+i+1, empty)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		if empty {
			return
		}
		for i := range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(k, n+i+1, empty)
			fill(e, n+i+1, empty)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n+i+1, empty)
			}
		}
	}
}
