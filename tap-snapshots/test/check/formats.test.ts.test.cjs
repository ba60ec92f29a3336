/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/check/formats.test.ts > TAP > sarif 2.1.0: rules with help, results on file and line, exemptions as suppressions > must match snapshot 1`] = `
{
  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
  "version": "2.1.0",
  "runs": [
    {
      "tool": {
        "driver": {
          "name": "ddguard",
          "version": "0.0.0-test",
          "rules": [
            {
              "id": "test-forbidden-key",
              "name": "TestForbiddenKey",
              "shortDescription": {
                "text": "A Secret holds a key named \\"forbidden\\""
              },
              "fullDescription": {
                "text": "Test-only rule: a Secret key named \\"forbidden\\" is reported with its length."
              },
              "help": {
                "text": "Test-only rule: a Secret key named \\"forbidden\\" is reported with its length.\\n\\nFix: Remove the key named \\"forbidden\\".\\n\\nFails:\\nkind: Secret\\nstringData:\\n  forbidden: x\\n\\nPasses:\\nkind: Secret\\nstringData:\\n  allowed: x",
                "markdown": "Test-only rule: a Secret key named \\"forbidden\\" is reported with its length.\\n\\n**Fix:** Remove the key named \\"forbidden\\".\\n\\nFails:\\n\\n\`\`\`yaml\\nkind: Secret\\nstringData:\\n  forbidden: x\\n\`\`\`\\n\\nPasses:\\n\\n\`\`\`yaml\\nkind: Secret\\nstringData:\\n  allowed: x\\n\`\`\`"
              },
              "defaultConfiguration": {
                "level": "error"
              }
            },
            {
              "id": "test-team-label",
              "name": "TestTeamLabel",
              "shortDescription": {
                "text": "A Deployment has no team label"
              },
              "fullDescription": {
                "text": "Test-only rule: a Deployment without a \`team\` label is reported."
              },
              "help": {
                "text": "Test-only rule: a Deployment without a \`team\` label is reported.\\n\\nFix: Add a \`team\` label.\\n\\nFails:\\nkind: Deployment\\nmetadata:\\n  name: x\\n\\nPasses:\\nkind: Deployment\\nmetadata:\\n  labels: {team: a}",
                "markdown": "Test-only rule: a Deployment without a \`team\` label is reported.\\n\\n**Fix:** Add a \`team\` label.\\n\\nFails:\\n\\n\`\`\`yaml\\nkind: Deployment\\nmetadata:\\n  name: x\\n\`\`\`\\n\\nPasses:\\n\\n\`\`\`yaml\\nkind: Deployment\\nmetadata:\\n  labels: {team: a}\\n\`\`\`"
              },
              "defaultConfiguration": {
                "level": "warning"
              }
            }
          ]
        }
      },
      "results": [
        {
          "ruleId": "test-forbidden-key",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "Key \\"forbidden\\" is set (6 bytes).\\nFix: Remove the key named \\"forbidden\\"."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "deploy/app.yaml"
                },
                "region": {
                  "startLine": 8
                }
              },
              "logicalLocations": [
                {
                  "fullyQualifiedName": "Secret ns1/token",
                  "kind": "resource"
                }
              ]
            }
          ],
          "properties": {
            "path": "/stringData/forbidden",
            "object": {
              "apiVersion": "v1",
              "kind": "Secret",
              "name": "token",
              "namespace": "ns1"
            }
          }
        },
        {
          "ruleId": "test-forbidden-key",
          "ruleIndex": 0,
          "level": "error",
          "message": {
            "text": "Key \\"forbidden\\" is set (2 bytes).\\nFix: Remove the key named \\"forbidden\\"."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "deploy/app.yaml"
                },
                "region": {
                  "startLine": 19
                }
              },
              "logicalLocations": [
                {
                  "fullyQualifiedName": "Secret ns1/old",
                  "kind": "resource"
                }
              ]
            }
          ],
          "properties": {
            "path": "/stringData/forbidden",
            "object": {
              "apiVersion": "v1",
              "kind": "Secret",
              "name": "old",
              "namespace": "ns1"
            }
          },
          "suppressions": [
            {
              "kind": "inSource",
              "justification": "rotated next sprint"
            }
          ]
        },
        {
          "ruleId": "test-team-label",
          "ruleIndex": 1,
          "level": "warning",
          "message": {
            "text": "The Deployment has no \\"team\\" label.\\nFix: Add a \`team\` label."
          },
          "locations": [
            {
              "physicalLocation": {
                "artifactLocation": {
                  "uri": "deploy/app.yaml"
                },
                "region": {
                  "startLine": 23
                }
              },
              "logicalLocations": [
                {
                  "fullyQualifiedName": "Deployment default/web",
                  "kind": "resource"
                }
              ]
            }
          ],
          "properties": {
            "path": "/metadata/labels/team",
            "object": {
              "apiVersion": "apps/v1",
              "kind": "Deployment",
              "name": "web",
              "namespace": "default"
            }
          }
        }
      ]
    }
  ]
}

`

exports[`test/check/formats.test.ts > TAP > text: colour when asked > must match snapshot 1`] = `
[1mSecret ns1/token[22m  [2mdeploy/app.yaml:2[22m
  [31merror   [39m  test-forbidden-key  [2mdeploy/app.yaml:8  /stringData/forbidden[22m
            Key "forbidden" is set (6 bytes).
            Fix: Remove the key named "forbidden".

[1mSecret ns1/old[22m  [2mdeploy/app.yaml:10[22m
  [36mexempted[39m  test-forbidden-key  [2mdeploy/app.yaml:19  /stringData/forbidden[22m
            Key "forbidden" is set (2 bytes).
            Fix: Remove the key named "forbidden".
            [36mExempted by annotation: rotated next sprint[39m

[1mDeployment default/web[22m  [2mdeploy/app.yaml:21[22m
  [33mwarning [39m  test-team-label  [2mdeploy/app.yaml:23  /metadata/labels/team[22m
            The Deployment has no "team" label.
            Fix: Add a \`team\` label.

Checked 5 objects in 2 files: 1 error, 1 warning, 1 exempted.

`

exports[`test/check/formats.test.ts > TAP > text: grouped by object, readable, plain without colour > must match snapshot 1`] = `
Secret ns1/token  deploy/app.yaml:2
  error     test-forbidden-key  deploy/app.yaml:8  /stringData/forbidden
            Key "forbidden" is set (6 bytes).
            Fix: Remove the key named "forbidden".

Secret ns1/old  deploy/app.yaml:10
  exempted  test-forbidden-key  deploy/app.yaml:19  /stringData/forbidden
            Key "forbidden" is set (2 bytes).
            Fix: Remove the key named "forbidden".
            Exempted by annotation: rotated next sprint

Deployment default/web  deploy/app.yaml:21
  warning   test-team-label  deploy/app.yaml:23  /metadata/labels/team
            The Deployment has no "team" label.
            Fix: Add a \`team\` label.

Checked 5 objects in 2 files: 1 error, 1 warning, 1 exempted.

`
