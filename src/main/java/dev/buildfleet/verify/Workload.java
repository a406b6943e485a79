package dev.buildfleet.verify;

import java.util.Map;

/**
 * A pod as NetworkPolicies see it: its namespace and that namespace's labels, its own labels, its named container
 * ports and its IP (null for a pod that does not exist yet, such as a build job's).
 */
record Workload(String name, String namespace, Map<String, String> namespaceLabels, Map<String, String> labels,
                Map<String, Integer> namedPorts, String ip) {
}
