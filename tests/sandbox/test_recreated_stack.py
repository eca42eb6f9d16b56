"""A stack deleted and made again under its name: `sam` names the first change set of
every new stack alike (`InitialCreation` for SAM's managed stack), and CloudFormation
resolves a stack name to the live stack. The stand-in executed the deleted stack's
change set (already executed) and refused: a managed bucket could not be made again."""

from __future__ import annotations

import uuid

from lambda_release.sandbox import Sandbox

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Nothing:
    Type: AWS::CloudFormation::WaitConditionHandle
"""


def _create(cfn: object, stack: str) -> None:
    cfn.create_change_set(  # type: ignore[attr-defined]
        StackName=stack,
        ChangeSetName="InitialCreation",
        ChangeSetType="CREATE",
        TemplateBody=TEMPLATE,
    )
    cfn.get_waiter("change_set_create_complete").wait(  # type: ignore[attr-defined]
        StackName=stack, ChangeSetName="InitialCreation", WaiterConfig={"Delay": 1}
    )
    cfn.execute_change_set(StackName=stack, ChangeSetName="InitialCreation")  # type: ignore[attr-defined]
    cfn.get_waiter("stack_create_complete").wait(  # type: ignore[attr-defined]
        StackName=stack, WaiterConfig={"Delay": 1}
    )


def test_a_stack_made_again_executes_its_own_first_change_set(sandbox: Sandbox) -> None:
    cfn = sandbox.client("cloudformation")
    stack = f"again-{uuid.uuid4().hex[:8]}"
    _create(cfn, stack)
    first = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=first, WaiterConfig={"Delay": 1})
    _create(cfn, stack)
    again = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert again["StackId"] != first and again["StackStatus"] == "CREATE_COMPLETE"
