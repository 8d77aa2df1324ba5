import mpmath
from mpmath import *
from mpmath.libmp import *

def test_isnan_etc():
    from mpmath.rational import mpq
    assert isnan(nan)
    assert not isnan(3)
    assert not isnan(mpf(3))
    assert not isnan(inf)
    assert isnan(mpc(2,nan))
    assert isnan(mpc(2,nan))
    assert isnan(mpc(nan,nan))
    assert not isnan(mpc(2,2))
    assert isnan(mpc(nan,inf))
    assert not isnan(mpc(inf,inf))
    assert not isnan(mpq((3,2)))
    assert not isnan(mpq((0,1)))
    assert isinf(inf)
    assert isinf(-inf)
    assert not isinf(3)
    assert not isinf(nan)
    assert not isinf(3+4j)
    assert isinf(mpc(inf))
    assert isinf(mpc(3,inf))
