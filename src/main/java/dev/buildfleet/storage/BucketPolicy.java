package dev.buildfleet.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.List;

/**
 * The bucket policy of a provisioned tenant. The owner user (whose keys only buildfleet uses) may do anything; the
 * tenant user may use objects and nothing else; every other principal, anonymous included, is denied everything, so
 * even an object ACL that names AllUsers opens nothing.
 *
 * <p>Written for what RGW 16.2 and 17.2 parse alike: principals as {@code arn:aws:iam:::user/ID}, an unknown action
 * name makes RGW refuse the whole policy, {@code NotAction} never applies in RGW's evaluator (so denials name their
 * actions), {@code Null} ignores its value and {@code StringNotEquals} with several values is true when any differs
 * (so the ACL condition lists the values it denies, with {@code StringEquals}).
 */
public final class BucketPolicy {
    /**
     * What Distribution's S3 driver, gitlab-runner's S3 cache and BuildKit's s3 cache call: objects (multipart uploads
     * and CopyObject are s3:PutObject), listing, and the bucket's location; nothing that changes the bucket.
     */
    public static final List<String> TENANT_ACTIONS = List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject",
            "s3:ListBucket", "s3:ListBucketMultipartUploads", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
            "s3:GetBucketLocation");
    /**
     * Denied to the tenant by name. It owns the objects it writes, and an object's owner may change that object's ACL
     * unless a policy denies it; the bucket-level actions repeat what not owning the bucket already means.
     */
    public static final List<String> TENANT_DENIED = List.of("s3:PutObjectAcl", "s3:PutObjectVersionAcl",
            "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
            "s3:PutBucketVersioning", "s3:DeleteBucket", "s3:PutBucketCORS", "s3:PutBucketWebsite",
            "s3:DeleteBucketWebsite", "s3:PutReplicationConfiguration", "s3:PutBucketTagging",
            "s3:PutBucketNotification");
    /** Canned ACLs that grant someone besides the object's owner; RGW offers x-amz-acl to PutObject's conditions. */
    static final List<String> SHARING_CANNED_ACLS = List.of("public-read", "public-read-write", "authenticated-read",
            "aws-exec-read", "log-delivery-write");

    private static final ObjectMapper JSON = new ObjectMapper();

    private BucketPolicy() {
    }

    static String json(StoragePlan plan) {
        ObjectNode policy = JSON.createObjectNode().put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        statements.add(statement("buildfleet-owner", "Allow", "Principal", List.of(plan.ownerPrincipalArn()),
                List.of("s3:*"), plan));
        statements.add(statement("buildfleet-tenant-objects", "Allow", "Principal", List.of(plan.principalArn()),
                TENANT_ACTIONS, plan));
        statements.add(statement("buildfleet-tenant-no-management", "Deny", "Principal",
                List.of(plan.principalArn()), TENANT_DENIED, plan));
        ObjectNode shared = statement("buildfleet-tenant-no-shared-objects", "Deny", "Principal",
                List.of(plan.principalArn()), List.of("s3:PutObject"), plan);
        shared.putObject("Condition").putObject("StringEquals").set("s3:x-amz-acl", strings(SHARING_CANNED_ACLS));
        statements.add(shared);
        statements.add(statement("buildfleet-nobody-else", "Deny", "NotPrincipal",
                List.of(plan.principalArn(), plan.ownerPrincipalArn()), List.of("s3:*"), plan));
        return policy.toString();
    }

    /** The same statements as the plan's policy (JSON compared as a tree, so spacing and key order do not matter). */
    static boolean matches(StoragePlan plan, String found) {
        if (found == null) {
            return false;
        }
        try {
            JsonNode wanted = JSON.readTree(json(plan));
            return wanted.equals(JSON.readTree(found));
        } catch (IOException e) {
            return false;
        }
    }

    private static ObjectNode statement(String sid, String effect, String principalKey, List<String> principals,
                                        List<String> actions, StoragePlan plan) {
        ObjectNode statement = JSON.createObjectNode().put("Sid", sid).put("Effect", effect);
        statement.putObject(principalKey).set("AWS", strings(principals));
        statement.set("Action", strings(actions));
        statement.set("Resource", strings(List.of("arn:aws:s3:::" + plan.bucket(), "arn:aws:s3:::" + plan.bucket()
                + "/*")));
        return statement;
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = JSON.createArrayNode();
        values.forEach(array::add);
        return array;
    }
}
