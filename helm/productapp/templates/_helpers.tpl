{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "productapp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "productapp.commonLabels" -}}
helm.sh/chart: {{ include "productapp.chart" . }}
app.kubernetes.io/part-of: productapp
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The four workloads. Object names, the `app` and `version` labels (Kiali and the
DestinationRule subsets read them) and ports are the original chart's and the Istio
scenarios' contract: they are fixed, not derived from the release name.
*/}}
{{- define "productapp.components" -}}
{{- $ns := .Release.Namespace -}}
items:
  - name: catalogdetail
    app: catalogdetail
    version: v1
    port: 3000
    serviceAccount: catalogdetail-sa
    values: {{ .Values.catalogdetail.v1 | toJson }}
    env: {}
  - name: catalogdetail2
    app: catalogdetail
    version: v2
    port: 3000
    serviceAccount: catalogdetail-sa
    values: {{ .Values.catalogdetail.v2 | toJson }}
    env: {}
  - name: productcatalog
    app: productcatalog
    version: v1
    port: 5000
    serviceAccount: productcatalog-sa
    values: {{ .Values.productcatalog | toJson }}
    env:
      AGG_APP_URL: {{ .Values.productcatalog.aggAppUrl | default (printf "http://catalogdetail.%s.svc.cluster.local:3000/catalogDetail" $ns) | quote }}
  - name: frontend
    app: frontend
    version: v1
    port: 9000
    serviceAccount: frontend-sa
    values: {{ .Values.frontend | toJson }}
    env:
      BASE_URL: {{ .Values.frontend.baseUrl | default (printf "http://productcatalog.%s.svc.cluster.local:5000/products/" $ns) | quote }}
{{- end }}

{{/* The Services: one per app, catalogdetail's selecting both versions. */}}
{{- define "productapp.services" -}}
items:
  - {name: catalogdetail, port: 3000}
  - {name: productcatalog, port: 5000}
  - {name: frontend, port: 9000}
{{- end }}

{{/* Selector labels of one workload: stable across upgrades (nothing version- or chart-dependent). */}}
{{- define "productapp.selectorLabels" -}}
app: {{ .app }}
version: {{ .version }}
{{- end }}

{{/* The image of one workload: registry/repository:tag. */}}
{{- define "productapp.image" -}}
{{- $c := index . 0 -}}
{{- $root := index . 1 -}}
{{- $tag := $c.values.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $root.Values.image.registry) $c.values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $c.values.image.repository $tag -}}
{{- end -}}
{{- end }}

{{/* The tag alone, for app.kubernetes.io/version. */}}
{{- define "productapp.imageTag" -}}
{{- $c := index . 0 -}}
{{- $root := index . 1 -}}
{{- $c.values.image.tag | default $root.Values.image.tag | default $root.Chart.AppVersion | trunc 63 | trimSuffix "-" -}}
{{- end }}
