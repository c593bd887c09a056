package query

// Negations reports whether the text tree n only excludes: a NOT, or an AND
// of NOTs. It then returns what the NOTs exclude, which a backend compiles
// into "must not contain" clauses with nothing that articles must contain.
// For any other tree it returns nil and false, and the tree is compiled as a
// whole (its inner NOTs included).
func Negations(n Node) ([]Node, bool) {
	switch n := n.(type) {
	case *Not:
		return []Node{n.Child}, true
	case *And:
		out := make([]Node, 0, len(n.Children))
		for _, ch := range n.Children {
			not, ok := ch.(*Not)
			if !ok {
				return nil, false
			}
			out = append(out, not.Child)
		}
		return out, true
	}
	return nil, false
}
