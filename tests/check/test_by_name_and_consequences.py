"""Issue 26's misses, false positives and consequences, each on its smallest template."""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_release.check.engine import TemplateError, run_rules
from lambda_release.check.findings import Finding

HEAD = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  AliasName:
    Type: String
    AllowedValues: [STAGING, PROD]
Globals:
  Function:
    AutoPublishAlias: !Ref AliasName
    Runtime: python3.12
    Handler: app.handler
    CodeUri: src/
    DeploymentPreference:
      Type: AllAtOnce
      Alarms: [!Ref ErrorsAlarm]
Resources:
  ErrorsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
  Fn:
    Type: AWS::Serverless::Function
"""
INTEGRATION = """\
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: api
      IntegrationType: AWS_PROXY
      IntegrationUri: {uri}
"""


def _run(tmp_path: Path, text: str) -> list[Finding]:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return [f for f in run_rules(path) if f.severity != "info"]


@pytest.mark.parametrize(
    "uri",
    [
        # both written in serverless-patterns, both qualified: exit 1 before
        "!Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':lambda:path/2015-03-31/"
        "functions/arn:aws:lambda:', !Ref AWS::Region, ':', !Ref AWS::AccountId, "
        "':function:', !Ref Fn, ':', !Ref AliasName, '/invocations']]",
        "!Join ['', ['arn:aws:apigateway:', !Ref AWS::Region, ':lambda:path/2015-03-31/"
        "functions/', !GetAtt Fn.Arn, ':', !Ref AliasName, '/invocations']]",
        "!Join [':', [!GetAtt Fn.Arn, !Ref AliasName]]",
        "!Join ['/', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions', "
        "!Join [':', [!GetAtt Fn.Arn, PROD]], 'invocations']]",
    ],
)
def test_qualified_joins_are_no_finding(tmp_path: Path, uri: str) -> None:
    assert _run(tmp_path, HEAD + INTEGRATION.format(uri=uri)) == []


@pytest.mark.parametrize(
    "uri",
    [
        "!Join ['/', ['arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions', "
        "!GetAtt Fn.Arn, 'invocations']]",
        "!Join ['', ['arn:aws:lambda:', !Ref AWS::Region, ':', !Ref AWS::AccountId, "
        "':function:', !Ref Fn]]",
    ],
)
def test_unqualified_joins_with_any_delimiter_are_found(tmp_path: Path, uri: str) -> None:
    (found,) = _run(tmp_path, HEAD + INTEGRATION.format(uri=uri))
    assert (found.rule, found.resource) == ("E9010", "Integration")
    assert "targets Fn unqualified" in found.message


def test_a_data_source_built_from_the_computed_name_is_found(tmp_path: Path) -> None:
    text = HEAD.replace(
        "  Fn:\n    Type: AWS::Serverless::Function\n",
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      FunctionName: !Sub '${AWS::StackName}-resolver'\n",
    ) + (
        "  DataSource:\n    Type: AWS::AppSync::DataSource\n    Properties:\n"
        "      ApiId: api\n      Name: ds\n      Type: AWS_LAMBDA\n      LambdaConfig:\n"
        "        LambdaFunctionArn: !Sub 'arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:"
        "function:${AWS::StackName}-resolver'\n"
    )
    (found,) = _run(tmp_path, text)
    assert (found.rule, found.resource) == ("E9010", "DataSource")


CALLER = """\
  Caller:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref Fn
      Environment:
        Variables:
          TARGET_FUNCTION: {value}
"""


def test_a_function_invoked_by_name_through_the_environment_is_a_warning(
    tmp_path: Path,
) -> None:
    (found,) = _run(tmp_path, HEAD + CALLER.format(value="!Ref Fn"))
    assert (found.rule, found.severity, found.resource) == ("W9012", "warning", "Caller")
    assert "TARGET_FUNCTION" in found.message and "$LATEST" in found.message
    assert "!Ref Fn.Alias" in found.fix


def test_explicit_latest_in_the_environment_is_an_error(tmp_path: Path) -> None:
    (found,) = _run(tmp_path, HEAD + CALLER.format(value="!Sub '${Fn.Arn}:$LATEST'"))
    assert (found.rule, found.severity) == ("E9010", "error")
    assert "names $LATEST explicitly" in found.message


def test_the_alias_arn_in_the_environment_is_no_finding(tmp_path: Path) -> None:
    assert _run(tmp_path, HEAD + CALLER.format(value="!Ref Fn.Alias")) == []


def test_an_exported_unqualified_arn_is_a_warning_a_shown_one_is_not(tmp_path: Path) -> None:
    shown = "Outputs:\n  FnArn:\n    Value: !GetAtt Fn.Arn\n"
    assert _run(tmp_path, HEAD + shown) == []
    exported = shown + "    Export:\n      Name: fn-arn\n"
    (found,) = _run(tmp_path, HEAD + exported)
    assert (found.rule, found.resource) == ("W9012", None)
    assert "exported output FnArn" in found.message
    assert found.line == 30  # the value, in the Outputs


def test_explicit_latest_in_an_output_is_an_error(tmp_path: Path) -> None:
    out = "Outputs:\n  Pinned:\n    Value: !Sub '${Fn.Arn}:$LATEST'\n"
    (found,) = _run(tmp_path, HEAD + out)
    assert (found.rule, found.severity) == ("E9010", "error")


def test_e9004_honours_enabled_false(tmp_path: Path) -> None:
    hook = (
        "  Hook:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      AutoPublishAlias: ''\n      DeploymentPreference:\n        Enabled: false\n"
    )
    hooked = HEAD.replace(
        "      Alarms: [!Ref ErrorsAlarm]\n",
        "      Alarms: [!Ref ErrorsAlarm]\n      Hooks:\n        PreTraffic: !Ref Hook\n",
    )
    assert [f.rule for f in _run(tmp_path, hooked + hook)] == []
    enabled = hook.replace("Enabled: false", "Enabled: true")
    assert "E9004" in [f.rule for f in _run(tmp_path, hooked + enabled)]


NO_ALIAS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
"""


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ("", "production would call $LATEST"),
        (
            "      DurableConfig:\n        ExecutionTimeout: 3600\n",
            "every unqualified call is refused",
        ),
        (
            "      CapacityProviderConfig:\n        LambdaManagedInstancesCapacityProviderConfig:"
            "\n          CapacityProviderArn: arn:aws:lambda:us-east-1:1:capacity-provider:x\n",
            "production would call $LATEST.PUBLISHED",
        ),
    ],
)
def test_the_consequence_follows_the_kind_of_function(
    tmp_path: Path, extra: str, words: str
) -> None:
    (found,) = [f for f in _run(tmp_path, NO_ALIAS + extra) if f.rule == "E9001"]
    assert words in found.message


def test_a_duplicate_key_names_both_lines_once(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(NO_ALIAS + "      Runtime: python3.13\n")
    with pytest.raises(TemplateError) as err:
        run_rules(path)
    message = str(err.value)
    assert "(line 8) and again at line 9" in message
    assert message.count("(line 8)") == 1
