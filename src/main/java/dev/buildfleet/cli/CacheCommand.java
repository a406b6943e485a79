package dev.buildfleet.cli;

import dev.buildfleet.cache.CachePruner;
import dev.buildfleet.cache.CacheCredentials;
import dev.buildfleet.cache.CachedTag;
import dev.buildfleet.cache.HttpCacheRegistry;
import dev.buildfleet.model.GoDuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;

@Command(name = "cache", mixinStandardHelpOptions = true,
        description = {"Look after a tenant's cache registry (the Distribution registry behind Kaniko's --cache-repo).",
                "The registry's htpasswd user comes from the environment: " + CacheCommand.USERNAME_ENV + " and "
                        + CacheCommand.PASSWORD_ENV + " (never from arguments)."},
        subcommands = {CacheCommand.Prune.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "2:usage error",
                "6:the cache registry failed (the request and HTTP status are printed)"})
final class CacheCommand extends CommandGroup {
    static final String USERNAME_ENV = "CACHE_REGISTRY_USERNAME";
    static final String PASSWORD_ENV = "CACHE_REGISTRY_PASSWORD";

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = {"Delete every cached layer image whose tags are all older than --ttl (its image config's "
                    + "created time + TTL is past: the entries Kaniko no longer uses). Entries without a creation "
                    + "time are kept and counted.",
                    "Deleting only untags: the space comes back when the registry runs `registry garbage-collect "
                            + "--delete-untagged` while read-only."})
    static final class Prune extends GroupCommand<CacheCommand> {
        @Option(names = "--registry", required = true, paramLabel = "URL",
                description = "The cache registry, e.g. http://cache-registry.bf-java.svc:5000")
        String registry;
        @Option(names = "--ttl", required = true, paramLabel = "DURATION",
                description = "Kaniko's --cache-ttl, e.g. 336h (hours, minutes, seconds: 1h30m, 90s).")
        String ttl;
        @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            CommandLine cmd = spec.commandLine();
            Duration maxAge = ttl(cmd);
            URI url = url(cmd);
            CacheCredentials credentials = new CacheCredentials(env(cmd, USERNAME_ENV), env(cmd, PASSWORD_ENV));
            PrintWriter out = cmd.getOut();
            Instant now = Instant.now();
            String verb = dryRun ? "would delete" : "deleted";
            CachePruner.Result result = new CachePruner(new HttpCacheRegistry(url, credentials), maxAge)
                    .prune(now, dryRun, tags -> {
                        CachedTag first = tags.getFirst();
                        out.println(verb + " " + first.repository() + ":" + tags.stream().map(CachedTag::tag)
                                .collect(Collectors.joining(",")) + "  " + first.digest() + "  created "
                                + first.created().truncatedTo(ChronoUnit.SECONDS) + " ("
                                + age(Duration.between(first.created(), now)) + " ago)");
                        out.flush();
                    });
            out.println(summary(result, maxAge, dryRun));
            if (!dryRun && !result.deleted().isEmpty()) {
                out.println("the space is freed by the registry's garbage collection (registry garbage-collect "
                        + "--delete-untagged, with the registry read-only)");
            }
            out.flush();
            return 0;
        }

        static String summary(CachePruner.Result r, Duration ttl, boolean dryRun) {
            return (dryRun ? "dry run: " : "") + r.repositories() + (r.repositories() == 1 ? " repository" :
                    " repositories") + "; " + (dryRun ? "would delete " : "deleted ") + r.deleted().size()
                    + plural(r.deleted().size(), " tag") + " (" + r.manifests() + plural(r.manifests(), " manifest")
                    + ") older than " + GoDuration.format(ttl) + "; kept " + r.kept() + " younger, " + r.unknown()
                    + " without a creation time";
        }

        private static String plural(long n, String word) {
            return n == 1 ? word : word + "s";
        }

        private static String age(Duration d) {
            long days = d.toDays();
            return days > 0 ? days + "d" + d.toHoursPart() + "h" : GoDuration.format(d.truncatedTo(ChronoUnit.SECONDS));
        }

        private Duration ttl(CommandLine cmd) {
            Duration parsed;
            try {
                parsed = GoDuration.parse(ttl);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--ttl: " + e.getMessage());
            }
            if (parsed.isZero()) {
                throw new CommandLine.ParameterException(cmd, "--ttl: must be more than 0 (0 would delete the "
                        + "whole cache); give Kaniko's --cache-ttl, e.g. 336h");
            }
            return parsed;
        }

        private URI url(CommandLine cmd) {
            if (registry.contains("@")) {
                throw new CommandLine.ParameterException(cmd, "--registry: put no credentials in the URL; export "
                        + USERNAME_ENV + " and " + PASSWORD_ENV);
            }
            try {
                URI uri = new URI(registry);
                if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // said below
            }
            throw new CommandLine.ParameterException(cmd, "--registry: '" + registry + "' is not a URL like "
                    + "http://cache-registry.bf-java.svc:5000");
        }

        private String env(CommandLine cmd, String name) {
            String value = parent.main.env.get(name);
            if (value == null || value.isBlank()) {
                throw new CommandLine.ParameterException(cmd, name + " is not set: export the cache registry's "
                        + (name.equals(USERNAME_ENV) ? "user (" + CacheCredentials.USERNAME + ")" : "password")
                        + " in " + name + " (the tenant's kaniko-docker-config Secret holds both)");
            }
            return value;
        }
    }
}
