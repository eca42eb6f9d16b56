"""What every sandbox CloudFormation resource model shares (see resources.py)."""

from __future__ import annotations

from typing import ClassVar

# moto files model classes by the second part of their module path; keep them with Lambda's.
_MOTO_MODULE = "moto.awslambda.models"


class SandboxModel:
    """What every sandbox resource model shares, declared instead of written out.

    A mixin, not a CloudFormationModel subclass: moto lists only direct subclasses of
    CloudFormationModel, so each model names both (`class X(SandboxModel, CloudFormationModel)`)
    and this class itself is never taken for a resource type.

    - `TYPE`: the CloudFormation resource type; `NAME_TYPE`: its name property, if any;
    - `PHYSICAL_ID`: the attribute holding the physical id (what `Ref` returns);
    - `ATTRIBUTES`: `Fn::GetAtt` names -> attributes of the instance.
    An update keeps the resource unless the model says otherwise.
    """

    __module__ = _MOTO_MODULE
    TYPE: ClassVar[str]
    NAME_TYPE: ClassVar[str] = ""
    PHYSICAL_ID: ClassVar[str] = "name"
    ATTRIBUTES: ClassVar[dict[str, str]] = {}

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_TYPE

    @property
    def physical_resource_id(self) -> str:
        return str(getattr(self, self.PHYSICAL_ID))

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name not in self.ATTRIBUTES:
            raise _unknown_attribute()
        return str(getattr(self, self.ATTRIBUTES[attribute_name]))


def _unknown_attribute() -> Exception:
    # moto's CloudFormation package imports most of moto; load it only when it is in use.
    from moto.cloudformation.exceptions import (  # noqa: PLC0415
        UnformattedGetAttTemplateException,
    )

    return UnformattedGetAttTemplateException()
