{{/* Names and labels shared by every template. */}}

{{- define "ddguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ddguard.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "ddguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ddguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ddguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ddguard.labels" -}}
helm.sh/chart: {{ include "ddguard.chart" . }}
{{ include "ddguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: admission-webhook
{{- end -}}

{{- define "ddguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ddguard.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "ddguard.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The Secret the server reads its certificate from, whatever the TLS mode. */}}
{{- define "ddguard.tlsSecretName" -}}
{{- if eq .Values.tls.mode "secret" -}}
{{- required "tls.secret.name is required when tls.mode is secret" .Values.tls.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "ddguard.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* The DNS names the API server may use for the Service; the serving certificate covers all of them. */}}
{{- define "ddguard.serviceDNSNames" -}}
{{- $svc := include "ddguard.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc $ns) (printf "%s.%s.svc" $svc $ns) (printf "%s.%s.svc.cluster.local" $svc $ns) | toJson -}}
{{- end -}}

{{/* matchConditions need Kubernetes 1.28 (beta, on by default) or later (GA in 1.30). */}}
{{- define "ddguard.matchConditionsSupported" -}}
{{- if semverCompare ">=1.28.0-0" .Capabilities.KubeVersion.Version -}}true{{- end -}}
{{- end -}}

{{- define "ddguard.configChecksum" -}}
{{- toYaml .Values.config | sha256sum -}}
{{- end -}}

{{/*
CEL that is true when a request is about an object recognisably Datadog's: in one of datadogNamespaces, or
(new or old copy) named with one of webhook.datadogObjects.nameContains, carrying one of its labels (a value
starting with one of the listed prefixes; "" accepts any value), or binding a ServiceAccount of
datadogNamespaces or so named. Lists are rendered with toJson, which is valid CEL list and map syntax.
*/}}
{{- define "ddguard.datadogObjectCondition" -}}
{{- $namespaces := .Values.datadogNamespaces | default list | uniq | toJson -}}
{{- $names := .Values.webhook.datadogObjects.nameContains | default list | toJson -}}
{{- $labels := .Values.webhook.datadogObjects.labels | default dict | toJson -}}
(has(request.namespace) && request.namespace in {{ $namespaces }})
|| [object, oldObject].exists(o, o != null && has(o.metadata) && (
(has(o.metadata.name) && {{ $names }}.exists(n, o.metadata.name.contains(n)))
|| (has(o.metadata.labels) && {{ $labels }}.exists(k, k in o.metadata.labels
&& {{ $labels }}[k].exists(p, o.metadata.labels[k].startsWith(p))))
|| (has(o.subjects) && o.subjects.exists(s, s.kind == 'ServiceAccount'
&& ((has(s.namespace) && s.namespace in {{ $namespaces }}) || {{ $names }}.exists(n, s.name.contains(n)))))))
{{- end -}}
