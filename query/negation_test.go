package query

import "testing"

func TestNegations(t *testing.T) {
	a, b := &Term{Text: "a"}, &Term{Text: "b"}
	tests := []struct {
		name string
		n    Node
		want []Node
		ok   bool
	}{
		{"not", &Not{Child: a}, []Node{a}, true},
		{"and of nots", &And{Children: []Node{&Not{Child: a}, &Not{Child: b}}}, []Node{a, b}, true},
		{"and with a term", &And{Children: []Node{a, &Not{Child: b}}}, nil, false},
		{"or of nots", &Or{Children: []Node{&Not{Child: a}, &Not{Child: b}}}, nil, false},
		{"term", a, nil, false},
		{"nil", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Negations(tt.n)
			if ok != tt.ok || len(got) != len(tt.want) {
				t.Fatalf("Negations = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("child %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}
