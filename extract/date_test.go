package extract

import (
	"testing"
	"time"

	"github.com/diembao/diembao"
)

func TestParseDate(t *testing.T) {
	base := time.Date(2020, 1, 13, 10, 0, 0, 0, diembao.Vietnam)
	pageDate := time.Date(2020, 1, 14, 0, 0, 0, 0, diembao.Vietnam)
	var zero time.Time
	tests := []struct {
		name     string
		text     string
		base, pd time.Time
		want     string // RFC 3339, "" for no date
		prec     diembao.Precision
	}{
		{"vne weekday GMT", "Thứ Hai, 13/01/2020, 08:30 (GMT+7)", zero, zero, "2020-01-13T08:30:00+07:00", diembao.PrecisionMinute},
		{"date then time", "13/01/2020 08:30", zero, zero, "2020-01-13T08:30:00+07:00", diembao.PrecisionMinute},
		{"time then date", "08:30 13/01/2020", zero, zero, "2020-01-13T08:30:00+07:00", diembao.PrecisionMinute},
		{"cap nhat", "Cập nhật: 14:05 ngày 10/01/2020", zero, zero, "2020-01-10T14:05:00+07:00", diembao.PrecisionMinute},
		{"words", "10 tháng 1 năm 2020", zero, zero, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
		{"words with ngay", "ngày 10 tháng 01 năm 2020", zero, zero, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
		{"iso with offset", "2020-01-13T08:30:00+07:00", zero, zero, "2020-01-13T08:30:00+07:00", diembao.PrecisionMinute},
		{"iso utc", "2020-01-13T01:30:00Z", zero, zero, "2020-01-13T08:30:00+07:00", diembao.PrecisionMinute},
		{"iso compact offset", "2020-10-01T07:57:00+0700", zero, zero, "2020-10-01T07:57:00+07:00", diembao.PrecisionMinute},
		{"iso naive is local", "2020-10-01T02:43:00", zero, zero, "2020-10-01T02:43:00+07:00", diembao.PrecisionMinute},
		{"iso date", "2020-10-01", zero, zero, "2020-10-01T00:00:00+07:00", diembao.PrecisionDay},
		{"dashes", "Thứ Năm, 01-10-2020, 07:57", zero, zero, "2020-10-01T07:57:00+07:00", diembao.PrecisionMinute},
		{"dantri", "Thứ sáu, 02/04/2021 - 10:33", zero, zero, "2021-04-02T10:33:00+07:00", diembao.PrecisionMinute},
		{"h separator", "8h30 ngày 10/1/2020", zero, zero, "2020-01-10T08:30:00+07:00", diembao.PrecisionMinute},
		{"gio chieu", "3 giờ chiều 10/1/2020", zero, zero, "2020-01-10T15:00:00+07:00", diembao.PrecisionMinute},
		{"gio dem", "11 giờ đêm 10/1/2020", zero, zero, "2020-01-10T23:00:00+07:00", diembao.PrecisionMinute},
		{"other zone", "13/01/2020 08:30 GMT+9", zero, zero, "2020-01-13T06:30:00+07:00", diembao.PrecisionMinute},
		{"two-digit year", "13/01/20", zero, zero, "2020-01-13T00:00:00+07:00", diembao.PrecisionDay},
		{"header date", "Thứ 2 Ngày 13/01/2020", zero, zero, "2020-01-13T00:00:00+07:00", diembao.PrecisionDay},
		{"chieu no base", "Chiều 10/1", zero, zero, "", diembao.PrecisionNone},
		{"chieu with base", "Chiều 10/1", base, zero, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
		{"chieu with page date", "Chiều 10/1", zero, pageDate, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
		{"previous year", "Tối 30/12", base, zero, "2019-12-30T00:00:00+07:00", diembao.PrecisionDay},
		{"day month with time", "14:05 10/1", base, zero, "2020-01-10T14:05:00+07:00", diembao.PrecisionMinute},
		{"sang nay", "Sáng nay", base, zero, "2020-01-13T00:00:00+07:00", diembao.PrecisionDay},
		{"sang nay page date", "Sáng nay", base, pageDate, "2020-01-14T00:00:00+07:00", diembao.PrecisionDay},
		{"hom qua", "hôm qua", base, zero, "2020-01-12T00:00:00+07:00", diembao.PrecisionDay},
		{"hom qua with time", "20:15 hôm qua", base, zero, "2020-01-12T20:15:00+07:00", diembao.PrecisionMinute},
		{"hom qua no base", "hôm qua", zero, zero, "", diembao.PrecisionNone},
		{"hours ago", "2 giờ trước", base, zero, "2020-01-13T00:00:00+07:00", diembao.PrecisionDay},
		{"hours ago across midnight", "11 giờ trước", base, zero, "2020-01-12T00:00:00+07:00", diembao.PrecisionDay},
		{"minutes ago", "15 phút trước", base, zero, "2020-01-13T09:45:00+07:00", diembao.PrecisionMinute},
		{"days ago", "3 ngày trước", base, zero, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
		{"no date", "Không có ngày tháng nào ở đây", base, pageDate, "", diembao.PrecisionNone},
		{"fraction is no date", "chiếm 1/5 dân số của tỉnh", base, zero, "", diembao.PrecisionNone},
		{"invalid day", "31/02/2020", zero, zero, "", diembao.PrecisionNone},
		{"invalid month", "12/13/2020", zero, zero, "", diembao.PrecisionNone},
		{"bare number", "2020", zero, zero, "", diembao.PrecisionNone},
		{"empty", "", base, pageDate, "", diembao.PrecisionNone},
		{"not a time", "5 học sinh ngày 10/1/2020", zero, zero, "2020-01-10T00:00:00+07:00", diembao.PrecisionDay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p, ok := ParseDate(tt.text, tt.base, tt.pd)
			if tt.want == "" {
				if ok {
					t.Fatalf("ParseDate(%q) = %s (%s), want no date", tt.text, got.Format(time.RFC3339), p)
				}
				return
			}
			if !ok {
				t.Fatalf("ParseDate(%q): no date, want %s", tt.text, tt.want)
			}
			if got.Format(time.RFC3339) != tt.want || p != tt.prec {
				t.Errorf("ParseDate(%q) = %s (%s), want %s (%s)", tt.text, got.Format(time.RFC3339), p, tt.want, tt.prec)
			}
			if got.Location() != diembao.Vietnam {
				t.Errorf("ParseDate(%q) zone %v, want diembao.Vietnam", tt.text, got.Location())
			}
		})
	}
}
