package dev.buildfleet.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public record MonitoringSpec(
        @Default("true") Boolean serviceMonitor,
        @Default("true") Boolean prometheusRule,
        @Default("true") Boolean dashboard) {
}
