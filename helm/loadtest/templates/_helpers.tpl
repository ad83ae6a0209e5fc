{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "loadtest.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The Job's name: the release's, so that the label Kubernetes gives its pods,
job-name=<release>, is known to whoever installed it (`kubectl logs -l job-name=<release>`).
*/}}
{{- define "loadtest.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "loadtest.commonLabels" -}}
helm.sh/chart: {{ include "loadtest.chart" . }}
app.kubernetes.io/part-of: productapp
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels of the Job's pods that the zone spread selects: this release's workers only. */}}
{{- define "loadtest.selectorLabels" -}}
app.kubernetes.io/name: loadtest
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The image: registry/repository:tag. */}}
{{- define "loadtest.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if .Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .Values.image.registry) .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end }}

{{/* The tag alone, for app.kubernetes.io/version. */}}
{{- define "loadtest.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/*
A number as ./loadtest reads it: decimals without an exponent (Helm prints a float64 such as
1000000 as 1e+06) and without trailing zeros: 200, 0.5, 1000000.
*/}}
{{- define "loadtest.number" -}}
{{- regexReplaceAll "0+$" (printf "%.6f" (float64 .)) "" | trimSuffix "." -}}
{{- end }}

{{/* Whether the model is open: a rate or ramps. "true" or "". */}}
{{- define "loadtest.open" -}}
{{- if or (gt (float64 .Values.rate) 0.0) (not (empty .Values.ramp)) }}true{{ end -}}
{{- end }}

{{/*
The instant every worker starts sending, UTC: startAt, or the render time plus
startDelaySeconds. Computed once per render and kept on .Release, so that the Job and
NOTES.txt, rendered one after the other, print the same instant.
*/}}
{{- define "loadtest.startAt" -}}
{{- if .Values.startAt -}}
{{- .Values.startAt -}}
{{- else -}}
{{- if not (hasKey .Release "loadtestStartAt") -}}
{{- $at := now | dateModify (printf "+%ds" (int64 .Values.startDelaySeconds)) -}}
{{- $_ := set .Release "loadtestStartAt" (dateInZone "2006-01-02T15:04:05Z" $at "UTC") -}}
{{- end -}}
{{- get .Release "loadtestStartAt" -}}
{{- end -}}
{{- end }}

{{/* Seconds in a time as ./loadtest reads it (30S, 2M, 1H, 500ms, 1.5s), as a decimal. */}}
{{- define "loadtest.seconds" -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" . -}}
{{- $unit := trimPrefix $number . | lower -}}
{{- mulf (float64 $number) (get (dict "ms" 0.001 "s" 1.0 "m" 60.0 "h" 3600.0) $unit) -}}
{{- end }}

{{/*
Seconds from now until every worker should have finished: the wait until the start, the
warm-up, the load (ramps, then the rate for duration; or duration), one request timeout for the
last answers, and a minute for the pods to start and exit. For `kubectl wait --timeout`.
*/}}
{{- define "loadtest.waitSeconds" -}}
{{- $start := toDate "2006-01-02T15:04:05Z07:00" (include "loadtest.startAt" .) | unixEpoch | int64 -}}
{{- $total := max 0 (sub $start (now | unixEpoch | int64)) | float64 -}}
{{- if .Values.warmup -}}
{{- $total = addf $total (include "loadtest.seconds" .Values.warmup) -}}
{{- end -}}
{{- if include "loadtest.open" . -}}
{{- range .Values.ramp -}}
{{- $total = addf $total (include "loadtest.seconds" (regexReplaceAll "^.*:" . "")) -}}
{{- end -}}
{{- if gt (float64 .Values.rate) 0.0 -}}
{{- $total = addf $total (include "loadtest.seconds" .Values.duration) -}}
{{- end -}}
{{- else -}}
{{- $total = addf $total (include "loadtest.seconds" .Values.duration) -}}
{{- end -}}
{{- addf $total (include "loadtest.seconds" .Values.timeout) 60 | ceil | int64 -}}
{{- end }}

{{/*
Text given to the container's args literally: Kubernetes expands $(VAR) in args and reads $$
as $, so every $ is doubled (a regex:...$ split rule, a header value) to arrive as written.
*/}}
{{- define "loadtest.literal" -}}
{{- . | toString | replace "$" "$$" -}}
{{- end }}

{{/*
The arguments of ./loadtest, as a JSON list of strings: the totals of the load, which each
worker (--worker K/N, K from the Job's completion index) divides by N for its share.
*/}}
{{- define "loadtest.args" -}}
{{- $v := .Values -}}
{{- $target := required "target is required: the URL to load, for example --set target=http://frontend.<namespace>.svc.cluster.local:9000/" $v.target -}}
{{- $args := list (include "loadtest.literal" $target) "-q" "--json" "-" -}}
{{- $args = concat $args (list "--worker" (printf "$(JOB_COMPLETION_INDEX)/%d" (int64 $v.workers))) -}}
{{- $args = concat $args (list "--start-at" (include "loadtest.startAt" .)) -}}
{{- if include "loadtest.open" . -}}
{{- range $v.ramp -}}
{{- $args = concat $args (list "--ramp" .) -}}
{{- end -}}
{{- if gt (float64 $v.rate) 0.0 -}}
{{- $rate := include "loadtest.number" $v.rate -}}
{{- if eq $rate "0" -}}
{{- fail (printf "rate %v is below 0.000001 requests per second: give 0 (no rate) or more" $v.rate) -}}
{{- end -}}
{{- $args = concat $args (list "--rate" (printf "%s/s" $rate) "--duration" $v.duration) -}}
{{- end -}}
{{- else -}}
{{- if lt (int64 $v.users) (int64 $v.workers) -}}
{{- fail (printf "users (%d) must be at least workers (%d): each worker runs its share of the users" (int64 $v.users) (int64 $v.workers)) -}}
{{- end -}}
{{- $args = concat $args (list "-c" (printf "%d" (int64 $v.users)) "-d" (include "loadtest.number" $v.delay) "-t" $v.duration) -}}
{{- end -}}
{{- $args = concat $args (list "--split-by" (include "loadtest.literal" $v.splitBy)) -}}
{{- range $name, $value := $v.headers -}}
{{- $args = concat $args (list "-H" (include "loadtest.literal" (printf "%s: %s" $name $value))) -}}
{{- end -}}
{{- $args = concat $args (list "--timeout" $v.timeout) -}}
{{- if $v.warmup -}}
{{- $args = concat $args (list "--warmup" $v.warmup) -}}
{{- end -}}
{{- if include "loadtest.open" . -}}
{{- $args = concat $args (list "--max-connections" (printf "%d" (int64 $v.maxConnections))) -}}
{{- end -}}
{{- range $v.extraArgs -}}
{{- $args = append $args (include "loadtest.literal" .) -}}
{{- end -}}
{{- toJson $args -}}
{{- end }}
