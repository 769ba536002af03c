{{/* Name of the release's objects: the release name, with -kcost unless it already says kcost. */}}
{{- define "kcost.fullname" -}}
{{- if contains "kcost" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-kcost" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "process"). */}}
{{- define "kcost.selectorLabels" -}}
app.kubernetes.io/name: kcost
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every label of one component's objects. */}}
{{- define "kcost.labels" -}}
{{ include "kcost.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "kcost.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Name of the Secret with the database URL. */}}
{{- define "kcost.databaseSecret" -}}
{{- if .Values.database.existingSecret -}}
{{- .Values.database.existingSecret -}}
{{- else -}}
{{- include "kcost.fullname" . }}-database
{{- end -}}
{{- end -}}

{{/*
Settings every role that talks to Kafka shares: the brokers, and TLS and SASL
(docs/access.md) with the CA and the role's password read from mounted
Secrets; a role's user is kafka.sasl.users.<component>, else kafka.sasl's.
Call with (dict "root" $ "component" "sink").
*/}}
{{- define "kcost.kafkaEnv" -}}
{{- $kafka := .root.Values.kafka -}}
- name: KCOST_BROKERS
  value: {{ $kafka.brokers | quote }}
{{- with $kafka.schemaRegistryUrl }}
- name: KCOST_SCHEMA_REGISTRY_URL
  value: {{ . | quote }}
{{- end }}
{{- if $kafka.tls.enabled }}
- name: KCOST_KAFKA_TLS
  value: "true"
{{- if $kafka.tls.caSecret }}
- name: KCOST_KAFKA_CA_FILE
  value: /etc/kcost/kafka-ca/{{ $kafka.tls.caKey }}
{{- end }}
{{- end }}
{{- if eq $kafka.sasl.mechanism "oauthbearer" }}
- name: KCOST_KAFKA_SASL_MECHANISM
  value: oauthbearer
- name: KCOST_KAFKA_OAUTH_TOKEN_FILE
  value: /var/run/secrets/kcost/kafka/token
{{- else if ne $kafka.sasl.mechanism "none" }}
{{- $own := get $kafka.sasl.users .component | default (dict) }}
- name: KCOST_KAFKA_SASL_MECHANISM
  value: {{ $kafka.sasl.mechanism | quote }}
- name: KCOST_KAFKA_USERNAME
  value: {{ required (printf "kafka.sasl.username (or kafka.sasl.users.%s.username) is required with kafka.sasl.mechanism %s" .component $kafka.sasl.mechanism) ($own.username | default $kafka.sasl.username) | quote }}
- name: KCOST_KAFKA_PASSWORD_FILE
  value: /etc/kcost/kafka-sasl/{{ $own.passwordKey | default $kafka.sasl.passwordKey }}
{{- end }}
{{- end -}}

{{/* Volume mounts of the Kafka CA and the role's SASL password (list items; empty when neither is on). */}}
{{- define "kcost.kafkaVolumeMounts" -}}
{{- $kafka := .root.Values.kafka -}}
{{- if and $kafka.tls.enabled $kafka.tls.caSecret }}
- name: kafka-ca
  mountPath: /etc/kcost/kafka-ca
  readOnly: true
{{- end }}
{{- if eq $kafka.sasl.mechanism "oauthbearer" }}
- name: kafka-token
  mountPath: /var/run/secrets/kcost/kafka
  readOnly: true
{{- else if ne $kafka.sasl.mechanism "none" }}
- name: kafka-sasl
  mountPath: /etc/kcost/kafka-sasl
  readOnly: true
{{- end }}
{{- end -}}

{{- define "kcost.kafkaVolumes" -}}
{{- $kafka := .root.Values.kafka -}}
{{- if and $kafka.tls.enabled $kafka.tls.caSecret }}
- name: kafka-ca
  secret:
    secretName: {{ $kafka.tls.caSecret }}
{{- end }}
{{- if eq $kafka.sasl.mechanism "oauthbearer" }}
{{- /* The pod's ServiceAccount token for the brokers' audience; the kubelet renews the file before it expires. */}}
- name: kafka-token
  projected:
    sources:
      - serviceAccountToken:
          path: token
          audience: {{ $kafka.sasl.oauthbearer.audience | quote }}
          expirationSeconds: {{ $kafka.sasl.oauthbearer.expirationSeconds }}
{{- else if ne $kafka.sasl.mechanism "none" }}
{{- $own := get $kafka.sasl.users .component | default (dict) }}
- name: kafka-sasl
  secret:
    secretName: {{ required (printf "kafka.sasl.passwordSecret (or kafka.sasl.users.%s.passwordSecret) is required with kafka.sasl.mechanism %s" .component $kafka.sasl.mechanism) ($own.passwordSecret | default $kafka.sasl.passwordSecret) }}
{{- end }}
{{- end -}}

{{/* Volume mounts of a role that serves a port and talks to Kafka; call with (dict "root" $ "component" ...). */}}
{{- define "kcost.kafkaRoleVolumeMounts" -}}
{{- include "kcost.servingVolumeMounts" .root }}
{{- include "kcost.kafkaVolumeMounts" . }}
{{- end -}}

{{- define "kcost.kafkaRoleVolumes" -}}
{{- include "kcost.servingVolumes" .root }}
{{- include "kcost.kafkaVolumes" . }}
{{- end -}}

{{- define "kcost.logEnv" -}}
- name: KCOST_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{- define "kcost.healthEnv" -}}
- name: KCOST_HEALTH_PORT
  value: {{ .Values.healthPort | quote }}
{{ include "kcost.servingEnv" . }}
{{- with .Values.metricsAuth.tokenSecret }}
- name: KCOST_METRICS_TOKEN_FILE
  value: /etc/kcost/metrics-auth/token
{{- end }}
{{- end -}}

{{/* The TLS Secret: tls.secretName, else the one the chart's Certificate issues. */}}
{{- define "kcost.tlsSecret" -}}
{{- .Values.tls.secretName | default (printf "%s-tls" (include "kcost.fullname" .)) -}}
{{- end -}}

{{/* TLS files of a serving role (its certificate and key, reloaded by the role when the Secret changes). */}}
{{- define "kcost.servingEnv" -}}
{{- if .Values.tls.enabled }}
- name: KCOST_TLS_CERT_FILE
  value: /etc/kcost/tls/tls.crt
- name: KCOST_TLS_KEY_FILE
  value: /etc/kcost/tls/tls.key
{{- end }}
{{- end -}}

{{/* Volume mounts of the TLS Secret and the metrics token (list items; empty when neither is on). */}}
{{- define "kcost.servingVolumeMounts" -}}
{{- if .Values.tls.enabled }}
- name: tls
  mountPath: /etc/kcost/tls
  readOnly: true
{{- end }}
{{- if .Values.metricsAuth.tokenSecret }}
- name: metrics-auth
  mountPath: /etc/kcost/metrics-auth
  readOnly: true
{{- end }}
{{- end -}}

{{- define "kcost.servingVolumes" -}}
{{- if .Values.tls.enabled }}
- name: tls
  secret:
    secretName: {{ include "kcost.tlsSecret" . }}
{{- end }}
{{- with .Values.metricsAuth.tokenSecret }}
- name: metrics-auth
  secret:
    secretName: {{ . }}
{{- end }}
{{- end -}}

{{/*
How a monitor reaches a kcost port: HTTPS verified against the TLS Secret's
ca.crt for the name the certificate carries, and the metrics token; call with
(dict "root" $ "serverName" "..." "token" "secret name or empty").
*/}}
{{- define "kcost.scrapeSecurity" -}}
{{- if .root.Values.tls.enabled }}
scheme: https
tlsConfig:
  ca:
    secret:
      name: {{ include "kcost.tlsSecret" .root }}
      key: ca.crt
  serverName: {{ .serverName }}
{{- end }}
{{- with .token }}
authorization:
  type: Bearer
  credentials:
    name: {{ . }}
    key: token
{{- end }}
{{- end -}}

{{/*
The database URL: from a Secret (database.url or database.existingSecret), or
composed from database.host and friends with only the password in a Secret,
read through PGPASSWORD (node-postgres takes it when the URL has none), so a
password needs no URL escaping.
*/}}
{{- define "kcost.databaseEnv" -}}
{{- if .Values.database.host }}
{{- with .Values.database.password.existingSecret }}
- name: PGPASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.database.password.key }}
{{- end }}
- name: KCOST_DATABASE_URL
  value: {{ include "kcost.databaseUrl" . | quote }}
{{- else }}
- name: KCOST_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "kcost.databaseSecret" . }}
      key: {{ .Values.database.secretKey }}
{{- end }}
{{- end -}}

{{/* The URL composed from database.host, port, name, user and sslMode, without the password. */}}
{{- define "kcost.databaseUrl" -}}
{{- with .Values.database -}}
postgres://{{ .user }}@{{ .host }}:{{ .port }}/{{ .name }}{{ with .sslMode }}?sslmode={{ . }}{{ end }}
{{- end -}}
{{- end -}}

{{/* "true" where the Prometheus Operator's CRDs are installed (helm template: --api-versions monitoring.coreos.com/v1). */}}
{{- define "kcost.hasPrometheusOperator" -}}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" -}}true{{- end -}}
{{- end -}}

{{/*
Pod annotations: the chart's podAnnotations, the role's over them, and the template's own
("annotations", such as a checksum) over both; call with (dict "root" $ "role" .Values.api).
*/}}
{{- define "kcost.podAnnotations" -}}
{{- $annotations := merge (dict) (.annotations | default (dict)) (.role.podAnnotations | default (dict)) (.root.Values.podAnnotations | default (dict)) -}}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Extra environment variables: the chart's extraEnv, then the role's (which win, coming last). */}}
{{- define "kcost.extraEnv" -}}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .role.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Container port and probes of a role serving /healthz and /readyz on the health port. */}}
{{- define "kcost.healthPort" -}}
ports:
  - name: health
    containerPort: {{ .Values.healthPort }}
    protocol: TCP
livenessProbe:
  httpGet:
    path: /healthz
    port: health
    {{- if .Values.tls.enabled }}
    scheme: HTTPS
    {{- end }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: health
    {{- if .Values.tls.enabled }}
    scheme: HTTPS
    {{- end }}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}

{{/* Pod-level settings every role shares. */}}
{{- define "kcost.podSpec" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Annotations that give the price collector cloud credentials without keys: IRSA on EKS, Workload Identity on GKE. */}}
{{- define "kcost.cloudAnnotations" -}}
{{- if and (eq .Values.cloud.provider "aws") .Values.cloud.aws.roleArn }}
eks.amazonaws.com/role-arn: {{ .Values.cloud.aws.roleArn | quote }}
{{- end }}
{{- if and (eq .Values.cloud.provider "gcp") .Values.cloud.gcp.serviceAccount }}
iam.gke.io/gcp-service-account: {{ .Values.cloud.gcp.serviceAccount | quote }}
{{- end }}
{{- end -}}
