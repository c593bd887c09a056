package viet

//go:generate go run ./internal/segtrain -data ../../shared/data -out vietdata/segmodel.bin
