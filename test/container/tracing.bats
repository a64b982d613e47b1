#!/usr/bin/env bats
# The prod image with tracing on: an OTLP/HTTP receiver (a few lines of Node in the same image,
# sharing the service's network namespace) gets the spans of a query, from the bundle's
# instrumented packages and the service's own, in the caller's trace.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
load helpers

# Prints `span NAME TRACE_ID SCOPE` for every span of every OTLP/HTTP JSON export it receives.
RECEIVER='require("http").createServer((q, r) => { let b = ""; q.on("data", (c) => (b += c)); q.on("end", () => { try { for (const rs of JSON.parse(b).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) console.log("span", s.name, s.traceId, ss.scope.name); } catch {} r.writeHead(200, { "content-type": "application/json" }); r.end("{}"); }); }).listen(4318, "127.0.0.1", () => console.log("receiver up"));'

@test "exports the spans of a query over OTLP, trace id from the caller's traceparent" {
  local port trace=0af7651916cd43dd8448eb211c80319c
  port=$(free_port)
  run_prod traced -p "127.0.0.1:$port:8000" \
    -e OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 -e OTEL_EXPORTER_OTLP_PROTOCOL=http/json \
    -e OTEL_BSP_SCHEDULE_DELAY=100 -e OTEL_SERVICE_NAME=agent-in-container
  "$DOCKER" run -d --name "$RUN_ID-otlp" --label "$LABEL" --read-only \
    --network "container:$RUN_ID-traced" "$PROD_IMAGE" -e "$RECEIVER" >/dev/null
  receiver_up() { "$DOCKER" logs "$RUN_ID-otlp" 2>&1 | grep -q 'receiver up'; }
  spans() { "$DOCKER" logs "$RUN_ID-otlp" 2>&1 | grep "^span .* $trace " || true; }
  server_span() { spans | grep -q '^span POST /query '; }
  wait_until 20 http_ok "http://127.0.0.1:$port/health"
  wait_until 10 receiver_up
  local code
  code=$(curl -sS -o "$CTEST_TMP/body" -D "$CTEST_TMP/headers" -w '%{http_code}' --max-time 10 \
    -H 'content-type: application/json' -H "traceparent: 00-$trace-00f067aa0ba902b7-01" \
    --data '{"prompt":"traced in a container"}' "http://127.0.0.1:$port/query")
  assert_equal "$code" 200
  [[ $(header traceparent) == 00-$trace-* ]] || fail "no traceparent on the answer: $(header traceparent)"
  wait_until 15 server_span || fail "no server span: $(spans)"
  local got
  got=$(spans)
  note "$(wc -l <<<"$got") spans: $(cut -d' ' -f2- <<<"$got" | cut -d' ' -f1-2 | sort -u | paste -sd, -)"
  for scope in instrumentation-http instrumentation-express instrumentation-nestjs-core ai-agent-service; do
    grep -q "$scope" <<<"$got" || fail "no span from $scope"
  done
  grep -q '^span chat builtin-echo ' <<<"$got" || fail "no chat span"
}
