"""Every place in a template where an AWS service invokes a Lambda function.

Resource type -> what it is (for messages) and the properties that hold the
function (``ALL``: any property, for resources whose only function references
are invocation targets). Property paths are CloudFormation's; see
docs/rules.md#e9010 for the list with each service's reference page. SAM wires
a function's own ``Events`` to its alias (when it has one), so they are not here.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = ("*",)


@dataclass(frozen=True)
class InvocationPath:
    kind: str
    properties: tuple[str, ...]
    needs_version: bool = False  # Lambda@Edge: a version ARN, never an alias


PATHS: dict[str, InvocationPath] = {
    # Lambda itself
    "AWS::Lambda::EventSourceMapping": InvocationPath("event source mapping", ("FunctionName",)),
    "AWS::Lambda::Permission": InvocationPath("permission", ("FunctionName",)),
    "AWS::Lambda::Url": InvocationPath("function URL", ("TargetFunctionArn",)),
    "AWS::Lambda::EventInvokeConfig": InvocationPath(
        "event invoke config destination", ("DestinationConfig",)
    ),
    "AWS::Serverless::Function": InvocationPath(
        "event invoke config destination", ("EventInvokeConfig",)
    ),
    # API Gateway (REST, HTTP and WebSocket), SAM APIs
    "AWS::ApiGateway::Method": InvocationPath("API Gateway integration", ("Integration",)),
    "AWS::ApiGateway::Authorizer": InvocationPath("API Gateway authorizer", ("AuthorizerUri",)),
    "AWS::ApiGateway::RestApi": InvocationPath("API definition", ("Body",)),
    "AWS::ApiGatewayV2::Integration": InvocationPath("HTTP API integration", ("IntegrationUri",)),
    "AWS::ApiGatewayV2::Authorizer": InvocationPath("HTTP API authorizer", ("AuthorizerUri",)),
    "AWS::ApiGatewayV2::Api": InvocationPath("HTTP API", ("Body", "Target")),
    "AWS::Serverless::Api": InvocationPath("API", ("DefinitionBody", "Auth")),
    "AWS::Serverless::HttpApi": InvocationPath("HTTP API", ("DefinitionBody", "Auth")),
    "AWS::Serverless::GraphQLApi": InvocationPath("GraphQL API", ("DataSources", "Auth")),
    # EventBridge
    "AWS::Events::Rule": InvocationPath("EventBridge target", ("Targets",)),
    "AWS::Scheduler::Schedule": InvocationPath("schedule target", ("Target",)),
    "AWS::Pipes::Pipe": InvocationPath("pipe", ("Target", "Enrichment")),
    # SNS, S3
    "AWS::SNS::Subscription": InvocationPath("SNS subscription", ("Endpoint",)),
    "AWS::SNS::Topic": InvocationPath("SNS subscription", ("Subscription",)),
    "AWS::S3::Bucket": InvocationPath("S3 notification", ("NotificationConfiguration",)),
    "AWS::S3ObjectLambda::AccessPoint": InvocationPath(
        "S3 Object Lambda access point", ("ObjectLambdaConfiguration",)
    ),
    # Logs, Kinesis Firehose
    "AWS::Logs::SubscriptionFilter": InvocationPath("log subscription", ("DestinationArn",)),
    "AWS::KinesisFirehose::DeliveryStream": InvocationPath("Firehose processor", ALL),
    # Cognito, Step Functions, AppSync, ELB
    "AWS::Cognito::UserPool": InvocationPath("Cognito trigger", ("LambdaConfig",)),
    "AWS::StepFunctions::StateMachine": InvocationPath(
        "Step Functions definition", ("Definition", "DefinitionString", "DefinitionSubstitutions")
    ),
    "AWS::Serverless::StateMachine": InvocationPath(
        "Step Functions definition", ("Definition", "DefinitionSubstitutions")
    ),
    "AWS::AppSync::DataSource": InvocationPath("AppSync data source", ("LambdaConfig",)),
    "AWS::AppSync::GraphQLApi": InvocationPath(
        "AppSync authorizer", ("LambdaAuthorizerConfig", "AdditionalAuthenticationProviders")
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": InvocationPath("ALB target group", ("Targets",)),
    # IoT, SES, Secrets Manager, Config, Lex, CodePipeline, CodeCommit, Transfer, Bedrock
    "AWS::IoT::TopicRule": InvocationPath("IoT topic rule", ("TopicRulePayload",)),
    "AWS::IoT::Authorizer": InvocationPath("IoT authorizer", ("AuthorizerFunctionArn",)),
    "AWS::SES::ReceiptRule": InvocationPath("SES receipt rule", ("Rule",)),
    "AWS::SecretsManager::RotationSchedule": InvocationPath(
        "secret rotation", ("RotationLambdaARN",)
    ),
    "AWS::Config::ConfigRule": InvocationPath("Config rule", ("Source",)),
    "AWS::Lex::BotAlias": InvocationPath("Lex code hook", ("BotAliasLocaleSettings",)),
    "AWS::Lex::Bot": InvocationPath("Lex code hook", ("TestBotAliasSettings",)),
    "AWS::CodePipeline::Pipeline": InvocationPath("CodePipeline invoke action", ("Stages",)),
    "AWS::CodeCommit::Repository": InvocationPath("CodeCommit trigger", ("Triggers",)),
    "AWS::Transfer::Server": InvocationPath(
        "Transfer identity provider", ("IdentityProviderDetails",)
    ),
    "AWS::Bedrock::Agent": InvocationPath("Bedrock action group", ("ActionGroups",)),
    "AWS::CloudWatch::Alarm": InvocationPath(
        "alarm action", ("AlarmActions", "OKActions", "InsufficientDataActions")
    ),
    # CloudFront: Lambda@Edge takes a version ARN
    "AWS::CloudFront::Distribution": InvocationPath(
        "Lambda@Edge association", ("DistributionConfig",), needs_version=True
    ),
}

CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"


def is_custom_resource(resource_type: str) -> bool:
    """Custom resources call their ServiceToken on stack operations, not on release traffic."""
    return resource_type == CUSTOM_RESOURCE or resource_type.startswith("Custom::")


def path_for(resource_type: str) -> InvocationPath | None:
    return PATHS.get(resource_type)
