package dev.buildfleet.storage;

import dev.buildfleet.storage.TenantStorage.Change;
import dev.buildfleet.storage.TenantStorage.Change.Action;
import dev.buildfleet.storage.TenantStorage.Drift;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AccessControlPolicy;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.Grant;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Type;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What only the bucket's owner may change, read and repaired with the owner user's keys: bucket policy, bucket ACL,
 * versioning, lifecycle, and the ACLs of a random sample of objects.
 */
final class BucketSettings {
    /** Objects whose ACL is read per check or ensure, drawn from the first {@value #LISTED_OBJECTS} keys. */
    static final int OBJECT_ACL_SAMPLE = 25;
    static final int LISTED_OBJECTS = 1000;

    private final S3Client owner;
    private final StoragePlan plan;

    /** @param owner an S3 client with the owner user's keys; the caller closes it */
    BucketSettings(S3Client owner, StoragePlan plan) {
        this.owner = owner;
        this.plan = plan;
    }

    List<Drift> check() {
        List<Drift> drift = new ArrayList<>();
        String policy = policy();
        if (!BucketPolicy.matches(plan, policy)) {
            drift.add(new Drift("bucket policy", wantedPolicy(), policy == null ? "none" : "a different policy"));
        }
        List<String> aclProblems = bucketAclProblems();
        if (!aclProblems.isEmpty()) {
            drift.add(new Drift("bucket ACL", "private (" + plan.ownerUserId() + " FULL_CONTROL only)",
                    String.join(", ", aclProblems)));
        }
        if (versioningEnabled()) {
            drift.add(new Drift("versioning", "off (never enabled, or suspended)", "Enabled"));
        }
        List<LifecycleRule> lifecycle = lifecycle();
        if (!LifecycleRules.matches(plan.lifecycle(), lifecycle)) {
            drift.add(new Drift("lifecycle", LifecycleRules.describeOurs(plan.lifecycle()),
                    LifecycleRules.describe(lifecycle)));
        }
        SharedObjects shared = sharedObjects();
        if (!shared.keys().isEmpty()) {
            drift.add(new Drift("object ACLs", "private (only " + plan.userId() + " and " + plan.ownerUserId() + ")",
                    shared.describe()));
        }
        return drift;
    }

    List<Change> ensure() {
        List<Change> changes = new ArrayList<>();
        if (BucketPolicy.matches(plan, policy())) {
            changes.add(new Change("bucket policy", Action.UNCHANGED, ""));
        } else {
            call("set the policy of bucket " + plan.bucket(),
                    () -> owner.putBucketPolicy(p -> p.bucket(plan.bucket()).policy(plan.bucketPolicy())));
            changes.add(new Change("bucket policy", Action.UPDATED, wantedPolicy()));
        }
        List<String> aclProblems = bucketAclProblems();
        if (aclProblems.isEmpty()) {
            changes.add(new Change("bucket ACL", Action.UNCHANGED, "private"));
        } else {
            call("set the ACL of bucket " + plan.bucket(), () -> owner.putBucketAcl(a -> a.bucket(plan.bucket())
                    .accessControlPolicy(privateTo(plan.ownerUserId()))));
            changes.add(new Change("bucket ACL", Action.UPDATED, "private (was " + String.join(", ", aclProblems)
                    + ")"));
        }
        if (versioningEnabled()) {
            call("suspend versioning of bucket " + plan.bucket(), () -> owner.putBucketVersioning(v -> v
                    .bucket(plan.bucket()).versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED))));
            changes.add(new Change("versioning", Action.UPDATED, "suspended; older versions stay"));
        } else {
            changes.add(new Change("versioning", Action.UNCHANGED, "off"));
        }
        if (LifecycleRules.matches(plan.lifecycle(), lifecycle())) {
            changes.add(new Change("lifecycle", Action.UNCHANGED, ""));
        } else {
            call("set the lifecycle of bucket " + plan.bucket(), () -> owner.putBucketLifecycleConfiguration(l -> l
                    .bucket(plan.bucket())
                    .lifecycleConfiguration(BucketLifecycleConfiguration.builder()
                            .rules(LifecycleRules.of(plan.lifecycle())).build())));
            changes.add(new Change("lifecycle", Action.UPDATED, LifecycleRules.describeOurs(plan.lifecycle())));
        }
        SharedObjects shared = sharedObjects();
        shared.objectOwners().forEach((key, objectOwner) -> call("reset the ACL of object " + key,
                () -> owner.putObjectAcl(a -> a.bucket(plan.bucket()).key(key)
                        .accessControlPolicy(privateTo(objectOwner)))));
        changes.add(new Change("object ACLs", shared.keys().isEmpty() ? Action.UNCHANGED : Action.UPDATED,
                shared.keys().isEmpty() ? shared.sampled() + " sampled, all private"
                        : "reset to private: " + shared.describe()));
        return changes;
    }

    private String wantedPolicy() {
        return "objects only for " + plan.principalArn() + ", nothing for anyone but it and "
                + plan.ownerPrincipalArn();
    }

    private String policy() {
        return readOrNull("read the policy of bucket " + plan.bucket(), "NoSuchBucketPolicy",
                () -> owner.getBucketPolicy(p -> p.bucket(plan.bucket())).policy());
    }

    /** Every grant but the owner's FULL_CONTROL, and a foreign ACL owner. */
    private List<String> bucketAclProblems() {
        var acl = call("read the ACL of bucket " + plan.bucket(),
                () -> owner.getBucketAcl(a -> a.bucket(plan.bucket())));
        List<String> problems = new ArrayList<>();
        if (acl.owner() != null && !plan.ownerUserId().equals(acl.owner().id())) {
            problems.add("ACL owner " + acl.owner().id());
        }
        boolean ownerGrant = false;
        for (Grant grant : acl.grants()) {
            if (isUser(grant, plan.ownerUserId()) && grant.permission() == Permission.FULL_CONTROL) {
                ownerGrant = true;
            } else {
                problems.add(describe(grant));
            }
        }
        if (!ownerGrant) {
            problems.add("no FULL_CONTROL for " + plan.ownerUserId());
        }
        return problems;
    }

    private boolean versioningEnabled() {
        var versioning = call("read the versioning of bucket " + plan.bucket(),
                () -> owner.getBucketVersioning(v -> v.bucket(plan.bucket())));
        return versioning.status() == BucketVersioningStatus.ENABLED;
    }

    private List<LifecycleRule> lifecycle() {
        List<LifecycleRule> rules = readOrNull("read the lifecycle of bucket " + plan.bucket(),
                "NoSuchLifecycleConfiguration",
                () -> owner.getBucketLifecycleConfiguration(l -> l.bucket(plan.bucket())).rules());
        return rules == null ? List.of() : rules;
    }

    /**
     * "Owner FULL_CONTROL, nobody else", written out: RGW answers a canned-ACL PUT without a body with 411
     * MissingContentLength.
     */
    private static AccessControlPolicy privateTo(String uid) {
        return AccessControlPolicy.builder().owner(o -> o.id(uid)).grants(Grant.builder()
                .grantee(g -> g.type(Type.CANONICAL_USER).id(uid)).permission(Permission.FULL_CONTROL).build()).build();
    }

    /** @param objectOwners each shared object's key and the owner its ACL names (the one the reset keeps) */
    private record SharedObjects(int sampled, Map<String, String> objectOwners, List<String> examples) {
        List<String> keys() {
            return List.copyOf(objectOwners.keySet());
        }

        String describe() {
            return objectOwners.size() + " of " + sampled + " sampled objects shared, e.g. " + String.join("; ",
                    examples);
        }
    }

    /**
     * Objects of the sample whose ACL grants anyone but the tenant user, the owner user and the object's own owner
     * (whoever wrote it: a grant to oneself is what "private" means).
     */
    private SharedObjects sharedObjects() {
        List<S3Object> listed = new ArrayList<>(call("list bucket " + plan.bucket(), () -> owner.listObjectsV2(l -> l
                .bucket(plan.bucket()).maxKeys(LISTED_OBJECTS))).contents());
        Collections.shuffle(listed);
        List<S3Object> sample = listed.subList(0, Math.min(OBJECT_ACL_SAMPLE, listed.size()));
        Map<String, String> objectOwners = new LinkedHashMap<>();
        List<String> examples = new ArrayList<>();
        for (S3Object object : sample) {
            GetObjectAclResponse acl = readOrNull("read the ACL of object " + object.key(), "NoSuchKey",
                    () -> owner.getObjectAcl(a -> a.bucket(plan.bucket()).key(object.key())));
            String objectOwner = acl == null || acl.owner() == null ? plan.userId() : acl.owner().id();
            List<String> foreign = acl == null ? List.of() : acl.grants().stream()
                    .filter(g -> !isUser(g, plan.userId()) && !isUser(g, plan.ownerUserId())
                            && !isUser(g, objectOwner))
                    .map(BucketSettings::describe).toList();
            if (!foreign.isEmpty()) {
                objectOwners.put(object.key(), objectOwner);
                if (examples.size() < 3) {
                    examples.add(object.key() + ": " + String.join(", ", foreign));
                }
            }
        }
        return new SharedObjects(sample.size(), objectOwners, List.copyOf(examples));
    }

    private static boolean isUser(Grant grant, String uid) {
        return grant.grantee() != null && grant.grantee().type() == Type.CANONICAL_USER
                && uid.equals(grant.grantee().id());
    }

    private static String describe(Grant grant) {
        var grantee = grant.grantee();
        String who = grantee == null ? "?" : grantee.uri() != null
                ? grantee.uri().substring(grantee.uri().lastIndexOf('/') + 1)
                : grantee.id() != null ? grantee.id() : Optional.ofNullable(grantee.emailAddress()).orElse("?");
        return who + " " + grant.permissionAsString();
    }

    /** The answer, or null when RGW answers {@code missingCode} (no policy, no lifecycle, object deleted meanwhile). */
    private static <T> T readOrNull(String what, String missingCode, Supplier<T> read) {
        try {
            return read.get();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && e.awsErrorDetails() != null
                    && missingCode.equals(e.awsErrorDetails().errorCode())) {
                return null;
            }
            throw S3Faults.of(what, e);
        } catch (SdkException e) {
            throw S3Faults.of(what, e);
        }
    }

    static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (SdkException e) {
            throw S3Faults.of(what, e);
        }
    }
}
