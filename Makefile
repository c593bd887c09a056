# The few commands everyone runs. .ci/run runs the same checks.
GO ?= go

.PHONY: build test lint bench eval demo

build:
	$(GO) build -o diembao ./cmd/diembao

test:
	$(GO) test -race ./...

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) vet -tags baseline ./cmd/diembao/
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# eval needs ../shared/data beside the repository.
eval:
	$(GO) run ./cmd/diembao eval segment --conllu ../shared/data/ud-vtb/vi_vtb-ud-dev.conllu
	$(GO) run -tags baseline ./cmd/diembao eval extract --pages ../shared/data/vnpages-dev --baseline

demo:
	$(GO) run ./cmd/diembao demo
