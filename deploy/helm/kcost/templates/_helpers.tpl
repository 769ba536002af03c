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

{{/* Settings every role that talks to Kafka shares. */}}
{{- define "kcost.kafkaEnv" -}}
- name: KCOST_BROKERS
  value: {{ .Values.kafka.brokers | quote }}
{{- with .Values.kafka.schemaRegistryUrl }}
- name: KCOST_SCHEMA_REGISTRY_URL
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "kcost.logEnv" -}}
- name: KCOST_LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end -}}

{{- define "kcost.healthEnv" -}}
- name: KCOST_HEALTH_PORT
  value: {{ .Values.healthPort | quote }}
{{- end -}}

{{- define "kcost.databaseEnv" -}}
- name: KCOST_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "kcost.databaseSecret" . }}
      key: {{ .Values.database.secretKey }}
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
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: health
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
